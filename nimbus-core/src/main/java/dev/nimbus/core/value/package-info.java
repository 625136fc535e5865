/** The value model: the closed set of value kinds, their one total order and their JSON form. */
package dev.nimbus.core.value;
