/** The DynamoDB dialect over the engine. */
package dev.nimbus.dynamodb;
