/** The order-preserving byte encoding of values and tuples that every index is built on. */
package dev.nimbus.core.codec;
