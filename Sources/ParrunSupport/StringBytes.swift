/// Calls `body` with the UTF-8 bytes of `text`, where the string keeps them
/// when it can. `String.withUTF8` needs a `var`, and copying a string into one
/// retains and releases it: some 60 times a journal line, once per part of
/// every hash.
@inline(__always)
func withUTF8Bytes(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
    if text.utf8.withContiguousStorageIfAvailable(body) == nil {
        var text = text
        text.withUTF8(body)
    }
}
