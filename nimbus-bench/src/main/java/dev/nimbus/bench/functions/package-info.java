/** Benchmarks of the function runtime: function mutations against native inserts, invocation latency. */
package dev.nimbus.bench.functions;
