/** Server metrics in the Prometheus format. */
package dev.nimbus.server.metrics;
