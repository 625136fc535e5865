/** The query IR every surface compiles to: filters, order and limit over one table. */
package dev.nimbus.core.query;
