/**
 * Flink wiring, thin: the keyed function and its operator, the state and record serializers, the
 * dead-letter side output, the key selector and the asynchronous scoring function. Everything
 * here is {@link org.apache.flink.annotation.Internal}; the decisions live in the pure packages.
 */
package dev.ser.stream.flink;

