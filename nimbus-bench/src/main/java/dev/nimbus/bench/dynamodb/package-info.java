/** The DynamoDB surface under load (issue F6): the same AWS SDK v2 workload against DynamoDB Local and Nimbus. */
package dev.nimbus.bench.dynamodb;
