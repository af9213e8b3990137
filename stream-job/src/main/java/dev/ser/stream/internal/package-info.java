/**
 * Names that savepoints of the build before the package split recorded, kept so those savepoints
 * restore ({@code SavepointCompatibilityITCase}). Nothing else belongs here; do not use them.
 */
package dev.ser.stream.internal;

