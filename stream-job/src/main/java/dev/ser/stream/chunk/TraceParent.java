package dev.ser.stream.chunk;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The W3C Trace Context {@code traceparent} header a producer may put on a chunk: carried to the
 * events of the utterances that chunk ends, so a trace spans from the softphone to the event. Only
 * well-formed values are carried; anything else is ignored (a trace header is never a reason to
 * refuse audio).
 */
public final class TraceParent {

  public static final String HEADER = "traceparent";
  /** version 00: version-traceid-parentid-flags, lowercase hex (W3C Trace Context, section 3.2). */
  private static final Pattern FORMAT = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

  private TraceParent() {}

  /** The header's value if it is a valid traceparent, else null. */
  public static String parse(byte[] value) {
    if (value == null || value.length != 55) {
      return null;
    }
    String s = new String(value, StandardCharsets.US_ASCII);
    var m = FORMAT.matcher(s);
    if (!m.matches() || s.startsWith("ff") || m.group(1).chars().allMatch(c -> c == '0')
        || m.group(2).chars().allMatch(c -> c == '0')) {
      return null;
    }
    return s;
  }
}
