/** The engine facade: the one door for reads, writes, subscriptions, transactions and jobs. */
package dev.nimbus.engine;
