import Testing

@testable import Base

/// `ParentPath.of` gives what `NSString.deletingLastPathComponent` gives, also where that traps on Linux (a
/// relative path ending in `~`).
@Suite struct ParentPathTests {
    @Test func theFolderAboveAPath() {
        let cases: [(String, String)] = [
            ("a/b", "a"), ("a/b/", "a"), ("a//b", "a"), ("/a", "/"), ("/a/b", "/a"), ("/", "/"), ("a", ""),
            ("", ""), ("./a", "."), ("~", ""), ("~/adv", "~"), ("a/~", "a"), ("x/~/b", "x/~"), ("/tmp/~", "/tmp"),
        ]
        for (path, parent) in cases {
            #expect(ParentPath.of(path) == parent, "'\(path)'")
        }
    }
}
