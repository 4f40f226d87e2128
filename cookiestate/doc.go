// Package cookiestate owns every piece of state kept in cookies: the cart,
// flash messages, preferences, recent orders, the visitor's CSRF secret and
// the staff session. Values are signed and encrypted with
// gorilla/securecookie under keys derived per kind of cookie, carry a format
// version and their own timestamps, stay within a size budget, and are
// never trusted for prices, stock or permissions.
package cookiestate
