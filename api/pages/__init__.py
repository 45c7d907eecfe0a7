"""Server-rendered Vietnamese pages. Every unsafe method on these routers is CSRF-checked."""
