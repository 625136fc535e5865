/** The MySQL / MariaDB storage provider: a tenant registry database plus one database per tenant, pooled. */
package dev.nimbus.storage.mysql;
