{{/* Name of the release's objects (and of the Flink cluster: its pods carry app=<this>). */}}
{{- define "ser.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 45 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 45 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ser.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "ser.image" -}}
{{- $i := ternary .Values.gpu.image .Values.image .Values.gpu.enabled -}}
{{- printf "%s:%s" $i.repository $i.tag -}}
{{- end -}}

{{/* The model file the job loads. */}}
{{- define "ser.modelPath" -}}
{{- if eq .Values.model.source "pvc" -}}/models/current/model.onnx
{{- else if eq .Values.model.source "url" -}}/models/model.onnx
{{- else -}}{{ range $i, $m := .Values.model.imageModels }}{{ if $i }},{{ end }}/opt/ser/models/{{ $m }}{{ end }}
{{- end -}}
{{- end -}}

{{/* Root of checkpoints, savepoints and HA data. */}}
{{- define "ser.storageRoot" -}}
{{- if eq .Values.storage.type "s3" -}}{{ trimSuffix "/" .Values.storage.s3.uri }}
{{- else -}}file:///flink-data
{{- end -}}
{{- end -}}

{{/* Consumer group and transactional-id prefix: one per release and namespace, so two releases on one
     Kafka cluster neither share offsets nor fence each other's transactions. */}}
{{- define "ser.kafkaIdentity" -}}
{{- printf "ser-%s-%s" .Release.Namespace .Release.Name -}}
{{- end -}}
