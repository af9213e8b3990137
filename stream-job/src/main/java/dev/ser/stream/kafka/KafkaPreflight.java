package dev.ser.stream.kafka;

import dev.ser.stream.StreamJobConfig;
import dev.ser.stream.StreamJobOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.annotation.Internal;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What the job checks before it is submitted, with its own Kafka settings: that a broker answers,
 * accepts the credentials and shows the job's three topics. A wrong password, truststore or
 * protocol then fails the submission at once with what to fix, instead of a job that restarts
 * forever on an authentication error deep in a connector's stack trace.
 */
@Internal
public final class KafkaPreflight {

  private KafkaPreflight() {}

  /**
   * Checks {@code config}'s Kafka settings; does nothing when {@code preflight-timeout-ms} is 0.
   *
   * @throws IllegalStateException naming what is wrong and what to check
   */
  public static void check(StreamJobConfig config) throws InterruptedException {
    long timeoutMs = config.get(StreamJobOptions.PREFLIGHT_TIMEOUT_MS);
    if (timeoutMs == 0) {
      return;
    }
    String bootstrap = config.get(StreamJobOptions.BOOTSTRAP_SERVERS);
    Properties props = config.kafkaProperties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
    String protocol = props.getProperty("security.protocol", "PLAINTEXT");
    String who = describeLogin(props);
    List<String> topics = new ArrayList<>(List.of(config.get(StreamJobOptions.INPUT_TOPIC),
        config.get(StreamJobOptions.OUTPUT_TOPIC), config.get(StreamJobOptions.DEAD_LETTER_TOPIC),
        config.get(StreamJobOptions.ALERT_TOPIC), config.get(StreamJobOptions.SUMMARY_TOPIC)));
    for (var option : List.of(StreamJobOptions.MODEL_UPDATE_TOPIC, StreamJobOptions.MODEL_STATUS_TOPIC)) {
      if (!config.get(option).isEmpty()) {
        topics.add(config.get(option));
      }
    }
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
      List<String> missing = new ArrayList<>();
      List<String> refused = new ArrayList<>();
      Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics).topicNameValues();
      for (String topic : topics) {
        try {
          described.get(topic).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UnknownTopicOrPartitionException) {
            missing.add(topic);
          } else if (e.getCause() instanceof TopicAuthorizationException) {
            refused.add(topic);
          } else {
            throw e;
          }
        }
      }
      if (!refused.isEmpty()) {
        throw new IllegalStateException("Kafka at " + bootstrap + " accepted the login (" + who + ") but does not let"
            + " it see topic " + String.join(", ", refused) + ". " + requiredAcls(config));
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("Kafka at " + bootstrap + " has no topic " + String.join(", ", missing)
            + "; create it (docs/deployment.md lists the topics) or fix input-topic, output-topic, dead-letter-topic, alert-topic, summary-topic"
            + (config.get(StreamJobOptions.MODEL_UPDATE_TOPIC).isEmpty() ? "" : ", model-update-topic")
            + (config.get(StreamJobOptions.MODEL_STATUS_TOPIC).isEmpty() ? "" : ", model-status-topic"));
      }
    } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(explain(cause, bootstrap, protocol, who, timeoutMs), cause);
    }
  }

  private static String explain(Throwable cause, String bootstrap, String protocol, String who, long timeoutMs) {
    if (cause instanceof SaslAuthenticationException) {
      return "Kafka at " + bootstrap + " refused the job's credentials (" + who + "): " + cause.getMessage()
          + ". Check the user and password in kafka.sasl.jaas.config and kafka.sasl.mechanism";
    }
    if (cause instanceof SslAuthenticationException) {
      return "the TLS handshake with Kafka at " + bootstrap + " failed: " + cause.getMessage()
          + ". Check kafka.ssl.truststore.location, its type and password (it must hold the brokers' CA)";
    }
    if (cause instanceof AuthorizationException) {
      return "Kafka at " + bootstrap + " accepted the login (" + who + ") but refuses access: " + cause.getMessage();
    }
    if (cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      return "no Kafka broker at " + bootstrap + " answered a " + protocol + " client within " + timeoutMs
          + " ms. Check bootstrap-servers, and that kafka.security.protocol matches the listener (a SASL_SSL or SSL"
          + " listener does not answer PLAINTEXT clients); preflight-timeout-ms sets the wait";
    }
    return "checking Kafka at " + bootstrap + " (" + protocol + ", " + who + ") failed: " + cause;
  }

  /** The ACLs the job's user needs, as a sentence (docs/reliability.md shows the job runs with exactly these). */
  static String requiredAcls(StreamJobConfig config) {
    String control = config.get(StreamJobOptions.MODEL_UPDATE_TOPIC);
    String status = config.get(StreamJobOptions.MODEL_STATUS_TOPIC);
    String acls = "The job's user needs Read on topic " + config.get(StreamJobOptions.INPUT_TOPIC)
        + (control.isEmpty() ? "" : " and " + control) + ", Write on topics "
        + config.get(StreamJobOptions.OUTPUT_TOPIC) + ", " + config.get(StreamJobOptions.DEAD_LETTER_TOPIC) + ", "
        + config.get(StreamJobOptions.ALERT_TOPIC) + (status.isEmpty() ? " and " : ", ") + config.get(StreamJobOptions.SUMMARY_TOPIC)
        + (status.isEmpty() ? "" : " and " + status) + ", Read on group "
        + config.get(StreamJobOptions.GROUP_ID);
    return acls + (config.exactlyOnce() ? ", and Write on transactional ids prefixed "
        + config.get(StreamJobOptions.TRANSACTIONAL_ID_PREFIX) : "");
  }

  /** The login, safe to print: mechanism and user name, never the password. */
  static String describeLogin(Properties props) {
    String mechanism = props.getProperty("sasl.mechanism");
    String protocol = props.getProperty("security.protocol", "PLAINTEXT");
    if (!protocol.startsWith("SASL")) {
      return protocol + ", no SASL login";
    }
    String jaas = props.getProperty("sasl.jaas.config", "");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("username\\s*=\\s*\"([^\"]*)\"").matcher(jaas);
    return protocol + " " + (mechanism == null ? "GSSAPI" : mechanism) + " as " + (m.find() ? "user \"" + m.group(1)
        + "\"" : "the JAAS login");
  }
}
