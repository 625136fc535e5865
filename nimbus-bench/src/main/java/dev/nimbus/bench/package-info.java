/**
 * Benchmarks and load generators (not shipped). Each benchmark measures a Nimbus code path
 * side by side with a baseline doing the same raw work in the same run, and reports the ratio:
 * absolute figures depend on the machine, ratios much less. See docs/performance.md.
 */
package dev.nimbus.bench;
