module github.com/go-text/typesetting

go 1.19

require (
	github.com/go-text/typesetting-utils v0.0.0-20260419141703-4ffe8874dabc
	golang.org/x/image v0.23.0
)
