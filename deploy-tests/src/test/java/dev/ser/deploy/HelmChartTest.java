package dev.ser.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart under helm lint and helm template (the helm library through helm-java), its
 * FlinkDeployment validated against the Flink Kubernetes Operator 1.15.0 CRD schema.
 */
class HelmChartTest {

  static final Path CHART = Repo.root().resolve("helm/ser");
  static final YAMLMapper YAML = new YAMLMapper();
  static JsonSchema crdSchema;

  @BeforeAll
  static void loadCrd() throws Exception {
    try (InputStream in = HelmChartTest.class.getResourceAsStream("/crds/flinkdeployments.flink.apache.org-v1.yml")) {
      JsonNode crd = YAML.readTree(in);
      JsonNode openApi = crd.at("/spec/versions/0/schema/openAPIV3Schema");
      assertThat(crd.at("/spec/versions/0/name").asText()).isEqualTo("v1beta1");
      crdSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
    }
  }

  static List<JsonNode> render(String... valuesFiles) throws Exception {
    var template = new Helm(CHART).template().withName("ser").withNamespace("calls");
    for (String f : valuesFiles) {
      template = template.withValuesFile(Path.of(HelmChartTest.class.getResource("/values/" + f).toURI()));
    }
    String out = template.call();
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(out)) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isEmpty()) {
          docs.add(d);
        }
      }
    }
    return docs;
  }

  static JsonNode one(List<JsonNode> docs, String kind) {
    List<JsonNode> of = docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    assertThat(of).as(kind).hasSize(1);
    return of.get(0);
  }

  static List<String> strings(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  static void assertValidFlinkDeployment(JsonNode deployment) {
    Set<ValidationMessage> errors = crdSchema.validate(deployment);
    assertThat(errors).as("FlinkDeployment against the operator's CRD schema").isEmpty();
  }

  @Test
  void theChartLints() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void defaultValuesGiveAValidFlinkDeploymentWithEverythingTheJobNeeds() throws Exception {
    List<JsonNode> docs = render();
    JsonNode d = one(docs, "FlinkDeployment");
    assertValidFlinkDeployment(d);
    assertThat(d.at("/apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
    assertThat(d.at("/spec/flinkVersion").asText()).isEqualTo("v2_2");
    assertThat(d.at("/spec/image").asText()).isEqualTo("ser-stream-job:0.1.0");
    JsonNode job = d.at("/spec/job");
    assertThat(job.at("/jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/ser-stream-job.jar");
    assertThat(job.at("/entryClass").asText()).isEqualTo("dev.ser.stream.StreamCommand");
    assertThat(job.at("/parallelism").asInt()).isEqualTo(2);
    assertThat(job.at("/upgradeMode").asText()).isEqualTo("savepoint");
    // both shipped models by default, each stream scored by the model of its band
    assertThat(strings(job.at("/args"))).containsExactly("--config", "/etc/ser/kafka/job.properties", "--model",
        "/opt/ser/models/ms-senet-emodb.onnx,/opt/ser/models/ms-senet-emodb-8k.onnx", "--device", "cpu", "--delivery-guarantee", "exactly-once",
        "--checkpoint-interval-ms", "5000", "--group-id", "ser-calls-ser", "--transactional-id-prefix",
        "ser-calls-ser", "--score-channels", "customer");
    JsonNode conf = d.at("/spec/flinkConfiguration");
    assertThat(conf.at("/taskmanager.numberOfTaskSlots").asText()).isEqualTo("2");
    assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
    assertThat(conf.path("high-availability.storageDir").asText()).isEqualTo("s3://ser-flink/ser/ha");
    assertThat(conf.path("execution.checkpointing.dir").asText()).isEqualTo("s3://ser-flink/ser/checkpoints");
    assertThat(conf.path("execution.checkpointing.savepoint-dir").asText()).isEqualTo("s3://ser-flink/ser/savepoints");
    assertThat(conf.path("metrics.reporter.prom.factory.class").asText())
        .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    assertThat(conf.path("metrics.reporter.prom.port").asText()).isEqualTo("9249");

    JsonNode pod = d.at("/spec/podTemplate/spec");
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(9999);
    JsonNode main = pod.at("/containers/0");
    assertThat(main.at("/name").asText()).isEqualTo("flink-main-container");
    assertThat(main.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(main.at("/env/0/value").asText()).isEqualTo("flink-s3-fs-presto-2.2.1.jar");
    assertThat(pod.at("/volumes/0/secret/secretName").asText()).isEqualTo("ser-kafka");
    assertThat(main.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/etc/ser/kafka");
    // no broker address or credential anywhere in the manifests
    for (JsonNode doc : docs) {
      assertThat(doc.toString()).doesNotContain("bootstrap").doesNotContain("sasl").doesNotContain("password");
    }
    assertThat(pod.has("initContainers")).isFalse();
    assertThat(d.at("/spec/taskManager/podTemplate").isMissingNode()).isTrue();
    JsonNode metrics = one(docs, "Service");
    assertThat(metrics.at("/spec/selector/app").asText()).isEqualTo("ser");
    assertThat(conf.path("web.submit.enable").asText()).isEqualTo("false");
    JsonNode policy = one(docs, "NetworkPolicy");
    assertThat(policy.at("/spec/podSelector/matchLabels/component").asText()).isEqualTo("jobmanager");
    assertThat(policy.at("/spec/podSelector/matchLabels/app").asText()).isEqualTo("ser");
    JsonNode ingress = policy.at("/spec/ingress");
    assertThat(ingress).hasSize(3);
    assertThat(ingress.at("/0/from/0/podSelector/matchLabels/app").asText()).isEqualTo("ser");
    assertThat(ingress.at("/0/ports").isMissingNode()).isTrue();
    assertThat(ingress.at("/1/from/0/namespaceSelector/matchLabels").toString())
        .isEqualTo("{\"kubernetes.io/metadata.name\":\"flink-operator\"}");
    assertThat(ingress.at("/1/from/0/podSelector/matchLabels/app.kubernetes.io~1name").asText())
        .isEqualTo("flink-kubernetes-operator");
    assertThat(ingress.at("/1/ports/0/port").asInt()).isEqualTo(8081);
    assertThat(ingress.at("/2/ports/0/port").asInt()).isEqualTo(9249);
    assertThat(docs.stream().map(x -> x.path("kind").asText()))
        .containsExactlyInAnyOrder("FlinkDeployment", "Service", "NetworkPolicy");
  }

  @Test
  void valuesChooseWhichShippedModelsAreLoaded() throws Exception {
    List<String> args = strings(one(render("two-models.yaml"), "FlinkDeployment").at("/spec/job/args"));
    assertThat(args.get(args.indexOf("--model") + 1))
        .isEqualTo("/opt/ser/models/ms-senet-emodb.onnx,/opt/ser/models/ms-senet-emodb-8k.onnx");
    // one model (here the telephone one): model updates are allowed again
    args = strings(one(render("one-model-with-updates.yaml"), "FlinkDeployment").at("/spec/job/args"));
    assertThat(args.get(args.indexOf("--model") + 1)).isEqualTo("/opt/ser/models/ms-senet-emodb-8k.onnx");
    assertThat(args).contains("--model-update-topic");
  }

  @Test
  void schemaRegistryValuesBecomeTheJobsRegistrySettings() throws Exception {
    List<String> args = strings(one(render("schema-registry.yaml"), "FlinkDeployment").at("/spec/job/args"));
    assertThat(String.join(" ", args)).contains("--schema-registry-url http://apicurio.registry:8080/apis/ccompat/v7"
        + " --wire-format confluent --schema-registry-auto-register false");
    // by default: single-object encoding, no registry
    assertThat(strings(one(render(), "FlinkDeployment").at("/spec/job/args"))).doesNotContain("--wire-format",
        "--schema-registry-url");
  }

  @Test
  void gpuValuesRequestGpusOnTaskManagersAndFetchAndCheckTheModel() throws Exception {
    JsonNode d = one(render("gpu.yaml"), "FlinkDeployment");
    assertValidFlinkDeployment(d);
    assertThat(d.at("/spec/image").asText()).isEqualTo("ser-stream-job-gpu:0.1.0");
    JsonNode tm = d.at("/spec/taskManager/podTemplate/spec");
    assertThat(tm.at("/containers/0/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(2);
    assertThat(tm.at("/nodeSelector/nvidia.com~1gpu.present").asText()).isEqualTo("true");
    assertThat(tm.at("/tolerations/0/key").asText()).isEqualTo("nvidia.com/gpu");
    List<String> args = strings(d.at("/spec/job/args"));
    assertThat(args.get(args.indexOf("--device") + 1)).isEqualTo("cuda:1");
    assertThat(args.get(args.indexOf("--max-batch-size") + 1)).isEqualTo("64");
    assertThat(args.get(args.indexOf("--model") + 1)).isEqualTo("/models/model.onnx");
    JsonNode init = d.at("/spec/podTemplate/spec/initContainers/0");
    assertThat(init.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(init.at("/command/2").asText()).contains("sha256sum -c -").contains("wget");
    assertThat(init.at("/env/1/value").asText())
        .isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    assertThat(d.at("/spec/flinkConfiguration").path("execution.checkpointing.dir").asText())
        .isEqualTo("file:///flink-data/checkpoints");
    assertThat(d.at("/spec/podTemplate/spec/volumes").toString()).contains("\"claimName\":\"flink-data\"");
  }

  @Test
  void refreshValuesAddTheCronJobWithoutKubernetesRightsAndTheServiceMonitor() throws Exception {
    List<JsonNode> docs = render("refresh.yaml");
    JsonNode d = one(docs, "FlinkDeployment");
    assertValidFlinkDeployment(d);
    List<String> args = strings(d.at("/spec/job/args"));
    assertThat(args.get(args.indexOf("--model") + 1)).isEqualTo("/models/current/model.onnx");
    assertThat(d.at("/spec/podTemplate/spec/initContainers/0/command/2").asText())
        .isEqualTo("cd /models/current && sha256sum -c model.onnx.sha256");
    // the job reads model updates, answers on the status topic, accepts only signed ones, and cannot write models
    assertThat(String.join(" ", args)).contains("--model-update-topic model-updates --model-status-topic model-status"
        + " --model-update-public-key /etc/ser/model-updates/public.pem");
    JsonNode mounts = d.at("/spec/podTemplate/spec/containers/0/volumeMounts");
    List<JsonNode> models = StreamSupport.stream(mounts.spliterator(), false)
        .filter(m -> m.at("/name").asText().equals("models")).toList();
    assertThat(models).hasSize(1);
    assertThat(models.get(0).at("/readOnly").asBoolean()).as("the job's models volume").isTrue();
    assertThat(d.at("/spec/podTemplate/spec/volumes").toString()).contains("\"secretName\":\"model-update-key\"");

    JsonNode cron = one(docs, "CronJob");
    assertThat(cron.at("/spec/schedule").asText()).isEqualTo("30 2 * * *");
    assertThat(cron.at("/spec/concurrencyPolicy").asText()).isEqualTo("Forbid");
    JsonNode pod = cron.at("/spec/jobTemplate/spec/template/spec");
    assertThat(pod.at("/serviceAccountName").asText()).isEqualTo("ser-refresh");
    JsonNode c = pod.at("/containers/0");
    assertThat(c.at("/image").asText()).isEqualTo("ser-training:0.1.0");
    assertThat(strings(c.at("/args"))).containsExactly("refresh", "--corpus", "emodb", "--data", "/data/emodb",
        "--promotion-set", "/opt/ser/samples/emodb", "--models", "/models", "--margin", "0.02", "--config",
        "/etc/ser/kafka/job.properties", "--topic", "model-updates", "--signing-key", "/etc/ser/signing/key.pem", "--",
        "--folds", "10", "--epochs", "35", "--seed", "7");
    assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/volumes/1/persistentVolumeClaim/claimName").asText()).isEqualTo("ser-models");
    assertThat(pod.at("/volumes/3/secret/secretName").asText()).as("the publisher's own Kafka user").isEqualTo("publisher");
    assertThat(pod.at("/volumes/4/secret/secretName").asText()).isEqualTo("model-signing");
    assertThat(pod.at("/automountServiceAccountToken").asBoolean(true)).isFalse();

    // no Kubernetes rights at all: no Role or binding, and no token in the pod
    assertThat(docs).noneMatch(doc -> doc.path("kind").asText().contains("Role"));
    assertThat(one(docs, "ServiceAccount").at("/automountServiceAccountToken").asBoolean(true)).isFalse();
    JsonNode monitor = one(docs, "ServiceMonitor");
    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
  }

  @Test
  void theDashboardIsOffByDefaultAndWhenOnReadsTheJobsKafkaSecretBehindCredentials() throws Exception {
    assertThat(render()).noneMatch(d -> d.toString().contains("dashboard"));
    List<JsonNode> docs = render("dashboard.yaml");
    JsonNode deployment = one(docs, "Deployment");
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode c = pod.at("/containers/0");
    assertThat(c.at("/image").asText()).isEqualTo("ser-stream-job:0.1.0");
    assertThat(strings(c.at("/command"))).containsExactly("/opt/ser/bin/ser", "dashboard");
    assertThat(strings(c.at("/args"))).containsExactly("--config", "/etc/ser/kafka/job.properties", "--bind", "0.0.0.0",
        "--port", "8080", "--basic-auth-file", "/etc/ser/dashboard/basic-auth", "--window-minutes", "30");
    assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(pod.at("/volumes/0/secret/secretName").asText()).isEqualTo("ser-kafka");
    assertThat(pod.at("/volumes/1/secret/secretName").asText()).isEqualTo("supervisors");
    assertThat(pod.at("/volumes/1/secret/items/0/key").asText()).isEqualTo("basic-auth");
    List<JsonNode> services = docs.stream().filter(d -> d.path("kind").asText().equals("Service")
        && d.at("/metadata/name").asText().equals("ser-dashboard")).toList();
    assertThat(services).hasSize(1);
    assertThat(services.get(0).at("/spec/type").asText()).isEqualTo("ClusterIP");
    assertThat(services.get(0).at("/spec/selector/app").asText())
        .isEqualTo(deployment.at("/spec/template/metadata/labels/app").asText());
    for (JsonNode doc : docs) {
      assertThat(doc.toString()).doesNotContain("bootstrap").doesNotContain("password");
    }
  }

  @Test
  void twoReleasesOnOneKafkaDoNotShareAConsumerGroupOrTransactionalIds() throws Exception {
    var other = new Helm(CHART).template().withName("ser-eu").withNamespace("calls").call();
    assertThat(other).contains("- ser-calls-ser-eu").doesNotContain("- ser-calls-ser\n");
    JsonNode d = one(render("stateless-allowed.yaml"), "FlinkDeployment");
    assertThat(d.at("/spec/job/upgradeMode").asText()).isEqualTo("stateless");
  }

  @Test
  void valuesThatBreakTheSchemaFailToRender() {
    assertThatThrownBy(() -> render("kafka-in-values.yaml")).hasMessageContaining("bootstrapServers");
    assertThatThrownBy(() -> render("refresh-without-pvc.yaml")).hasMessageContaining("model.source");
    assertThatThrownBy(() -> render("url-without-checksum.yaml")).hasMessageContaining("sha256");
    assertThatThrownBy(() -> render("two-models-with-updates.yaml"))
        .hasMessageContaining("modelUpdates with several model.imageModels are not built yet");
    assertThatThrownBy(() -> render("confluent-without-registry.yaml"))
        .hasMessageContaining("schemaRegistry.wireFormat confluent needs schemaRegistry.url");
    // a stateless upgrade drops every channel's state and reuses utterance ids: only when asked for
    assertThatThrownBy(() -> render("stateless.yaml")).hasMessageContaining("allowStatelessUpgrade");
    // Kafka credentials belong in the secret, never in the FlinkDeployment's arguments
    assertThatThrownBy(() -> render("kafka-in-extra-args.yaml")).hasMessageContaining("extraArgs");
    // who is scored is one value (job.scoreChannels), never an extra flag that could override it
    assertThatThrownBy(() -> render("score-channels-in-extra-args.yaml")).hasMessageContaining("extraArgs");
    assertThatThrownBy(() -> render("no-scored-channel.yaml")).hasMessageContaining("scoreChannels");
  }

  /** Customer only unless the values name other channels (AI Act Art. 5(1)(f): agents are at work). */
  @Test
  void scoredChannelsAreOneFlagFromTheValues() throws Exception {
    JsonNode d = one(render("two-scored-channels.yaml"), "FlinkDeployment");
    List<String> args = strings(d.at("/spec/job/args"));
    assertThat(args.subList(args.indexOf("--score-channels"), args.size())).containsExactly("--score-channels",
        "customer,supervisor");
  }

  /** The validator is not vacuous: a FlinkDeployment the operator would refuse is refused here too. */
  @Test
  void theCrdSchemaRefusesABrokenDeployment() throws Exception {
    ObjectNode d = (ObjectNode) one(render(), "FlinkDeployment").deepCopy();
    ((ObjectNode) d.with("spec").with("job")).put("upgradeMode", "whenever");
    ((ObjectNode) d.with("spec")).put("flinkVersion", "v3_0");
    assertThat(crdSchema.validate(d)).extracting(ValidationMessage::getMessage).anySatisfy(m ->
        assertThat(m).contains("upgradeMode")).anySatisfy(m -> assertThat(m).contains("flinkVersion"));
  }
}
