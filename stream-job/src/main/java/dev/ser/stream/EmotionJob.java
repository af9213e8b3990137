package dev.ser.stream;

import dev.ser.core.features.FeatureConfig;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.core.scoring.ModelRouter;
import dev.ser.core.scoring.provider.InferenceDevice;
import dev.ser.stream.assembly.ChannelAssemblySettings;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.call.CallAnalytics;
import dev.ser.stream.call.CallRecord;
import dev.ser.stream.call.CallRules;
import dev.ser.stream.chunk.ChunkOrDeadLetter;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import dev.ser.stream.flink.AsyncScoringFunction;
import dev.ser.stream.flink.CallStageFunction;
import dev.ser.stream.flink.ChannelAssemblyFunction;
import dev.ser.stream.flink.ChannelAssemblyOperator;
import dev.ser.stream.flink.ChannelKeySelector;
import dev.ser.stream.flink.ChunkWatermarks;
import dev.ser.stream.flink.DeadLetterRouter;
import dev.ser.stream.flink.ModelUpdateFunction;
import dev.ser.stream.flink.ScoredChannelFilter;
import dev.ser.stream.flink.ScoringOutcomeRouter;
import dev.ser.stream.flink.UtteranceRecordSerializer;
import dev.ser.stream.kafka.KafkaConnectors;
import dev.ser.stream.model.ModelUpdateOrDeadLetter;
import dev.ser.stream.scoring.EventRecord;
import dev.ser.stream.scoring.ScoredChannels;
import dev.ser.stream.scoring.SharedScorers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The stream job: audio chunks in, emotion events and dead letters out.
 *
 * <pre>
 * source (validate) -> keyBy(call, channel) -> order, decode, segment, resample
 *                   -> scored channels only (customer by default)
 *                   -> features + micro-batched ONNX scoring (async) -> events sink
 *                      (an utterance that cannot be scored ----------------> dead-letter sink)
 *   every refused record --------------------------------------------> dead-letter sink
 *   model updates (control topic, optional) -broadcast-> just before scoring: the model to score with
 *   events + every utterance and channel end (no audio) -> keyBy(call) -> call state
 *                      -> alerts sink (raised, cleared), summaries sink (one per call, at its end)
 * </pre>
 *
 * The source and sinks are constructor arguments ({@link #onKafka} builds the Kafka ones), so tests
 * can run the same pipeline on other connectors. The model's metadata is read when the job is built:
 * a model without a feature config is refused before anything starts.
 */
@PublicEvolving
public final class EmotionJob {

  private final StreamJobConfig config;
  /** The first model (the only one, unless the job routes streams by rate). */
  private final ModelMetadata model;
  /** What the model file's content must hash to, checked here and again on every TaskManager. */
  private final String modelSha256;
  /** The model file, links resolved. */
  private final Path modelFile;
  /** Every model, its file (links resolved) and checksum, in the order of the model setting. */
  private final List<ModelMetadata> models;
  private final List<Path> modelFiles;
  private final List<String> modelSha256s;
  /** Which model scores a stream, by its rate. */
  private final ModelRouter router;
  private final Source<ChunkOrDeadLetter, ?, ?> source;
  private final Sink<EventRecord> events;
  private final Sink<DeadLetterRecord> deadLetters;
  private final Sink<CallRecord> alerts;
  private final Sink<CallRecord> summaries;
  private UnaryOperator<DataStream<UtteranceRecord>> afterSegmentation = UnaryOperator.identity();
  /** The control topic of model updates; null: the job scores with its model file until restarted. */
  private Source<ModelUpdateOrDeadLetter, ?, ?> modelUpdates;

  public EmotionJob(StreamJobConfig config, Source<ChunkOrDeadLetter, ?, ?> source, Sink<EventRecord> events,
      Sink<DeadLetterRecord> deadLetters, Sink<CallRecord> alerts, Sink<CallRecord> summaries) throws Exception {
    this.config = config;
    this.source = source;
    this.events = events;
    this.deadLetters = deadLetters;
    this.alerts = alerts;
    this.summaries = summaries;
    List<String> named = StreamJobOptions.modelFiles(config.get(StreamJobOptions.MODEL));
    if (named.size() > 1 && !config.get(StreamJobOptions.MODEL_SHA256).isEmpty()) {
      throw new IllegalArgumentException("model-sha256 names one model's checksum; with several models each needs its"
          + " MODEL.sha256 next to it");
    }
    if (named.size() > 1 && !config.get(StreamJobOptions.MODEL_UPDATE_TOPIC).isEmpty()) {
      throw new IllegalArgumentException("model updates with several models (routing by band) are not built yet: give"
          + " one model, or no model-update-topic");
    }
    List<Path> files = new ArrayList<>();
    List<String> sums = new ArrayList<>();
    List<ModelMetadata> metadata = new ArrayList<>();
    for (String name : named) {
      // through links resolved now: a link that moves later (ser refresh's current) must not change the file a
      // TaskManager opens after a restart (it would refuse it against this checksum); updates swap models instead
      Path path = Path.of(name);
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException("no model file at " + path + " (model)");
      }
      Path file = path.toRealPath();
      String sum = ModelChecksum.expected(file, config.get(StreamJobOptions.MODEL_SHA256));
      ModelChecksum.verify(file, sum);
      try (EmotionScorer scorer = EmotionScorer.open(file)) {
        metadata.add(scorer.metadata());
      }
      if (!metadata.get(metadata.size() - 1).labels().equals(metadata.get(0).labels())) {
        throw new IllegalArgumentException(file + " has the labels " + metadata.get(metadata.size() - 1).labels()
            + ", " + files.get(0) + " " + metadata.get(0).labels() + ": the models of one job share their labels (the"
            + " alert rules and consumers depend on them)");
      }
      files.add(file);
      sums.add(sum);
    }
    this.modelFiles = List.copyOf(files);
    this.modelSha256s = List.copyOf(sums);
    this.models = List.copyOf(metadata);
    this.modelFile = files.get(0);
    this.modelSha256 = sums.get(0);
    this.model = metadata.get(0);
    this.router = new ModelRouter(metadata.stream().map(m -> new ModelRouter.Candidate(m.name() + " " + m.version(),
        m.features().sampleRate())).toList(), ModelRouter.Between.parse(config.get(StreamJobOptions.MODEL_ROUTE_BETWEEN)));
    scorerSpec().updatePolicy(); // an unreadable public key or CA file fails here, not on the TaskManagers
    scorerSpec().fetcher();
  }

  /** The job on Kafka: source, events sink and dead-letter sink from the configuration. */
  public static EmotionJob onKafka(StreamJobConfig config) throws Exception {
    EmotionJob job = new EmotionJob(config, KafkaConnectors.chunkSource(config), KafkaConnectors.eventSink(config),
        KafkaConnectors.deadLetterSink(config), KafkaConnectors.alertSink(config), KafkaConnectors.summarySink(config));
    if (!config.get(StreamJobOptions.MODEL_UPDATE_TOPIC).isEmpty()) {
      job.modelUpdates(KafkaConnectors.modelUpdateSource(config));
    }
    return job;
  }

  /**
   * Reads model updates from {@code source} (the control topic): each TaskManager swaps to the
   * model an update names once it passed every check, without a restart.
   */
  public EmotionJob modelUpdates(Source<ModelUpdateOrDeadLetter, ?, ?> source) {
    this.modelUpdates = source;
    return this;
  }

  /** The shared scorer's settings: the model file and how it is run, and the policy for model updates. */
  SharedScorers.Spec scorerSpec() {
    return scorerSpec(modelFile, modelSha256);
  }

  private SharedScorers.Spec scorerSpec(Path modelFile, String modelSha256) {
    return new SharedScorers.Spec(modelFile.toString(),
        InferenceDevice.parse(config.get(StreamJobOptions.DEVICE)), config.get(StreamJobOptions.ONNX_THREADS),
        config.get(StreamJobOptions.MAX_BATCH_SIZE), config.get(StreamJobOptions.MAX_BATCH_WAIT_MS) * 1000,
        config.get(StreamJobOptions.SCORING_THREADS), modelSha256, config.get(StreamJobOptions.MODEL_UPDATE_PUBLIC_KEY),
        config.get(StreamJobOptions.MODEL_UPDATE_ALLOWED_HOSTS), config.get(StreamJobOptions.MODEL_UPDATE_CA_CERTIFICATES),
        config.get(StreamJobOptions.MODEL_UPDATE_FETCH_TIMEOUT_MS));
  }

  public ModelMetadata model() {
    return model;
  }

  /** Every model of the job, in the order of the model setting. */
  public List<ModelMetadata> models() {
    return models;
  }

  /** The shared scorers' settings, one per model, in the order of the model setting. */
  List<SharedScorers.Spec> scorerSpecs() {
    List<SharedScorers.Spec> specs = new ArrayList<>();
    for (int i = 0; i < modelFiles.size(); i++) {
      specs.add(scorerSpec(modelFiles.get(i), modelSha256s.get(i)));
    }
    return specs;
  }

  public StreamJobConfig config() {
    return config;
  }

  /** Inserts a stage between segmentation and scoring (tests use it to inject failures). */
  public EmotionJob afterSegmentation(UnaryOperator<DataStream<UtteranceRecord>> stage) {
    this.afterSegmentation = stage;
    return this;
  }

  /**
   * The segmentation settings: the configured ones, at the model's sample rate; with several models,
   * each stream at the rate of the model it is routed to, and utterances no longer than the shortest
   * model input.
   */
  public ChannelAssemblySettings assemblyConfig() {
    FeatureConfig features = model.features();
    int maxUtteranceMs = config.get(StreamJobOptions.MAX_UTTERANCE_MS);
    if (maxUtteranceMs == 0) {
      maxUtteranceMs = Integer.MAX_VALUE;
      for (ModelMetadata m : models) {
        FeatureConfig f = m.features();
        maxUtteranceMs = Math.min(maxUtteranceMs, f.fixedLength() > 0
            ? (int) ((long) f.fixedLength() * 1000 / f.sampleRate()) : 10_000);
      }
    }
    return new ChannelAssemblySettings(features.sampleRate(), config.get(StreamJobOptions.VAD_THRESHOLD_DB),
        config.get(StreamJobOptions.VAD_MIN_SPEECH_DBFS), config.get(StreamJobOptions.VAD_HANGOVER_MS), config.get(StreamJobOptions.VAD_PRE_ROLL_MS),
        config.get(StreamJobOptions.MIN_UTTERANCE_MS), maxUtteranceMs, config.get(StreamJobOptions.MAX_REORDER_CHUNKS),
        config.get(StreamJobOptions.MAX_REORDER_WAIT_MS), config.get(StreamJobOptions.MAX_GAP_MS), config.get(StreamJobOptions.IDLE_TIMEOUT_MS),
        config.get(StreamJobOptions.CLOSED_RETENTION_MS), config.get(StreamJobOptions.ALLOWED_LATENESS_MS),
        config.get(StreamJobOptions.MAX_SEQUENCE_JUMP), config.get(StreamJobOptions.MAX_REORDER_BYTES),
        config.get(StreamJobOptions.MAX_AUDIO_AHEAD_MS), models.size() > 1 ? router : null);
  }

  /** The call stage's rules, from the configuration. */
  public CallAnalytics callAnalytics() {
    CallRules rules = new CallRules(StreamJobOptions.labels(config.get(StreamJobOptions.CALL_NEGATIVE_LABELS)),
        config.get(StreamJobOptions.CALL_SCORE_SMOOTHING),
        config.get(StreamJobOptions.CALL_ALERT_RAISE_ABOVE), config.get(StreamJobOptions.CALL_ALERT_SUSTAINED_UTTERANCES),
        config.get(StreamJobOptions.CALL_ALERT_RISE_BY), config.get(StreamJobOptions.CALL_ALERT_RISE_WITHIN_MS),
        config.get(StreamJobOptions.CALL_ALERT_CLEAR_BELOW),
        ScoredChannels.parse(config.get(StreamJobOptions.CALL_ALERT_CHANNELS)),
        config.get(StreamJobOptions.CALL_END_GRACE_MS), config.get(StreamJobOptions.CALL_SUMMARY_WAIT_MS), config.get(StreamJobOptions.CALL_IDLE_TIMEOUT_MS));
    return new CallAnalytics(rules, ScoredChannels.parse(config.get(StreamJobOptions.SCORE_CHANNELS)));
  }

  /** Configures checkpointing and parallelism and adds the pipeline to {@code env}. */
  public void addTo(StreamExecutionEnvironment env) {
    env.enableCheckpointing(config.get(StreamJobOptions.CHECKPOINT_INTERVAL_MS), CheckpointingMode.EXACTLY_ONCE);
    // shorter than the Kafka transaction timeout by at least an interval (checked in StreamJobConfig)
    env.getCheckpointConfig().setCheckpointTimeout(config.get(StreamJobOptions.CHECKPOINT_TIMEOUT_MS));
    if (!config.get(StreamJobOptions.CHECKPOINT_DIR).isEmpty()) {
      Configuration storage = new Configuration();
      storage.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
      storage.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.get(StreamJobOptions.CHECKPOINT_DIR));
      env.configure(storage);
    }
    if (config.get(StreamJobOptions.PARALLELISM) > 0) {
      env.setParallelism(config.get(StreamJobOptions.PARALLELISM));
    }
    long outOfOrderness = config.get(StreamJobOptions.WATERMARK_OUT_OF_ORDERNESS_MS);
    WatermarkStrategy<ChunkOrDeadLetter> watermarks = WatermarkStrategy
        .<ChunkOrDeadLetter>forGenerator(ctx -> new ChunkWatermarks(outOfOrderness))
        .withTimestampAssigner((r, kafkaTime) -> r.eventTime)
        .withIdleness(Duration.ofMillis(config.get(StreamJobOptions.SOURCE_IDLENESS_MS)));

    SingleOutputStreamOperator<ChunkRecord> chunks = env.fromSource(source, watermarks, "audio-chunks")
        .uid("audio-chunks-source")
        .process(new DeadLetterRouter()).uid("split-dead-letters").name("validate");

    SingleOutputStreamOperator<UtteranceRecord> utterances = chunks.keyBy(new ChannelKeySelector())
        .transform("order, decode, segment", UtteranceRecordSerializer.TYPE, new ChannelAssemblyOperator(
            new ChannelAssemblyFunction(assemblyConfig(), config.get(StreamJobOptions.MAX_CHANNELS_PER_TASK),
                config.get(StreamJobOptions.MAX_CLOSED_CHANNELS_PER_TASK)))).uid("segment");

    SharedScorers.Spec spec = scorerSpec();
    DataStream<UtteranceRecord> toScore = utterances
        .filter(new ScoredChannelFilter(ScoredChannels.parse(config.get(StreamJobOptions.SCORE_CHANNELS))))
        .uid("scored-channels").name("scored channels only");
    DataStream<DeadLetterRecord> controlDeadLetters = null;
    if (modelUpdates != null) {
      // the control stream carries no event time: idle from the start, it never holds back the audio's watermark
      DataStream<ModelUpdateOrDeadLetter> control = env.fromSource(modelUpdates,
              WatermarkStrategy.<ModelUpdateOrDeadLetter>noWatermarks().withIdleness(Duration.ofSeconds(1)), "model-updates")
          .uid("model-updates-source").setParallelism(1);
      SingleOutputStreamOperator<UtteranceRecord> gated = toScore.connect(control.broadcast(ModelUpdateFunction.REQUESTED))
          .process(new ModelUpdateFunction(spec, KafkaConnectors.modelStatusWriter(config, spec.modelPath(), model,
              modelSha256))).uid("model-updates").name("model updates");
      controlDeadLetters = gated.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS);
      toScore = gated;
    }
    long timeoutMs = config.get(StreamJobOptions.INFERENCE_TIMEOUT_MS);
    SingleOutputStreamOperator<EventRecord> scored = AsyncDataStream.orderedWait(afterSegmentation.apply(toScore),
            new AsyncScoringFunction(scorerSpecs(), models.stream().mapToInt(m -> m.features().sampleRate()).toArray(),
                config.get(StreamJobOptions.INPUT_TOPIC), timeoutMs,
                config.get(StreamJobOptions.CALL_UNCERTAIN_BELOW)), timeoutMs,
            TimeUnit.MILLISECONDS, config.get(StreamJobOptions.MAX_IN_FLIGHT))
        .uid("score").name("features and scoring")
        .process(new ScoringOutcomeRouter()).uid("split-scoring-failures").name("events and scoring failures");
    scored.sinkTo(events).uid("events-sink").name("emotion events");

    SingleOutputStreamOperator<CallRecord> callAlerts = scored.keyBy(e -> e.callId)
        .connect(utterances.getSideOutput(ChannelAssemblyFunction.CHANNEL_NOTICES).keyBy(n -> n.callId))
        .process(new CallStageFunction(callAnalytics(), config.get(StreamJobOptions.CALL_SUMMARISED_RETENTION_MS)),
            CallStageFunction.TYPE).uid("calls")
        .name("call state, alerts, summaries");
    callAlerts.sinkTo(alerts).uid("alerts-sink").name("call alerts");
    callAlerts.getSideOutput(CallStageFunction.SUMMARIES).sinkTo(summaries).uid("summaries-sink").name("call summaries");

    DataStream<DeadLetterRecord> refused = chunks.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)
        .union(utterances.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS),
            scored.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS));
    if (controlDeadLetters != null) {
      refused = refused.union(controlDeadLetters);
    }
    refused.sinkTo(deadLetters).uid("dead-letters-sink").name("dead letters");
  }

  /**
   * Cancels a submitted job and waits (at most a minute) until its tasks are gone, so operators
   * have closed (the shared scorer, the Kafka clients). A local cluster that shut down with its job
   * counts as gone.
   */
  public static void cancel(org.apache.flink.core.execution.JobClient client) throws InterruptedException {
    try {
      client.cancel().get();
      long deadline = System.currentTimeMillis() + 60_000;
      while (!client.getJobStatus().get().isGloballyTerminalState() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
    } catch (java.util.concurrent.ExecutionException | RuntimeException alreadyGone) {
      // the job ended or its local cluster shut down
    }
  }
}
