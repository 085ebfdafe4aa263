package expctxkeys

// MemoryAllocatorKey is a context.Context key for the experimental memory allocator.
type MemoryAllocatorKey struct{}

// SkipDataSegmentsKey is a context.Context key for experimental.WithoutDataSegments (ogmint patch).
type SkipDataSegmentsKey struct{}
