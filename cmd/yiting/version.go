package main

// version is stamped at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"
