/** How documents become index keys. */
package dev.nimbus.engine.index;
