/** Storage places for tests of higher layers, on every provider. */
package dev.nimbus.storage.testing;
