// Package encryption opens the client's encrypted customer input.
package encryption
