/** The byte formats every provider stores: document bodies and journal records. */
package dev.nimbus.storage.format;
