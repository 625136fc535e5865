/** Documents and what names them: ids, tables, tenants; mutations and the principals who ask. */
package dev.nimbus.core.model;
