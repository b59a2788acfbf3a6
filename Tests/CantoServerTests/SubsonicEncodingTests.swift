import Foundation
import Testing

@testable import CantoServer

/// The hand-written parts of the Subsonic wire format: form decoding and the JSON writer.
@Suite struct SubsonicEncodingTests {
    @Test func formDecodingHandlesPlusPercentAndMalformedEscapes() {
        let parameters = SubsonicParameters(
            query: "query=sigur+r%C3%B3s&id=1&id=2&bad=100%&half=%4&raw=a%2Bb&empty=&flag", form: "u=%E5%9D%82%E6%9C%AC"
        )
        #expect(parameters.string("query") == "sigur rós")
        #expect(parameters.all("id") == ["1", "2"])
        #expect(parameters.string("bad") == "100%")
        #expect(parameters.string("half") == "%4")
        #expect(parameters.string("raw") == "a+b")
        #expect(parameters.string("empty") == "")
        #expect(parameters.string("flag") == "")
        #expect(parameters.string("u") == "坂本")
        // A lone byte that is not UTF-8 does not throw or vanish.
        #expect(SubsonicParameters.decode("%FFok") == "\u{FFFD}ok")
    }

    @Test func jsonWriterOutputParsesBackToTheSameValues() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} 坂本 Björk </script>"
        let element = SubsonicElement([
            ("text", .string(tricky)), ("count", .int(-42)), ("gain", .double(-6.5)), ("flag", .bool(true)),
            ("at", .date(Date(timeIntervalSince1970: 1_764_078_017))), ("missing", nil),
        ])
        .with("items", list: [SubsonicElement([("id", .int(1))]), SubsonicElement([("id", .int(2))])])
        .with("empty", list: [])
        .with("one", SubsonicElement([("x", .string("y"))], text: "body"))
        var output: [UInt8] = []
        element.writeJSON(into: &output)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output)) as? [String: Any])
        #expect(object["text"] as? String == tricky)
        #expect(object["count"] as? Int == -42)
        #expect(object["gain"] as? Double == -6.5)
        #expect(object["flag"] as? Bool == true)
        #expect(object["at"] as? String == "2025-11-25T13:40:17Z")
        #expect(object["missing"] == nil)
        #expect((object["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [1, 2])
        #expect((object["empty"] as? [Any])?.isEmpty == true)
        let one = try #require(object["one"] as? [String: Any])
        #expect(one["x"] as? String == "y")
        #expect(one["value"] as? String == "body")
    }

    @Test func aPrerenderedElementWritesTheSameBytes() {
        let element = SubsonicElement([("ignoredArticles", .string("The"))]).with(
            "index",
            list: [
                SubsonicElement([("name", .string("B"))]).with(
                    "artist", list: [SubsonicElement([("id", .string("ar1")), ("name", .string("Björk & <Co>"))])])
            ])
        let cached = element.prerendered(as: "artists")
        var json: [UInt8] = []
        var cachedJSON: [UInt8] = []
        element.writeJSON(into: &json)
        cached.writeJSON(into: &cachedJSON)
        #expect(cachedJSON == json)
        var xml = ""
        var cachedXML = ""
        element.xml(name: "artists", into: &xml)
        cached.xml(name: "artists", into: &cachedXML)
        #expect(cachedXML == xml)
        #expect(xml.contains("Björk &amp; &lt;Co&gt;"))
    }
}
