/** DynamoDB expressions: lexing, parsing, placeholder checks, evaluation, updates and projections. */
package dev.nimbus.dynamodb.expression;
