/** The DynamoDB listener: its Netty pipeline, settings, wire credentials and key-management routes. */
package dev.nimbus.server.dynamodb;
