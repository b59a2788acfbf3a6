// The security primitives: see README.
