import Segd
import Testing

@Suite("Start-up banner")
struct StartupBannerTests {
    let endpoints = BoundEndpoints(sub: ["tcp://127.0.0.1:7401"], pull: ["tcp://127.0.0.1:7402"], publish: ["tcp://127.0.0.1:7403"])

    @Test("the shipped config's banner names each socket as it is bound and the topics that come out")
    func shippedConfig() throws {
        let lines = StartupBanner.text(try SegdConfiguration.load(path: defaultConfigPath), endpoints).split(separator: "\n")
        #expect(lines.contains("  events in   SUB  tcp://127.0.0.1:7401   (producers PUB-connect here; topics clicks|orders|reviews)"))
        #expect(lines.contains("  alerts out  XPUB tcp://127.0.0.1:7403   (consumers SUB-connect here; topics segment.<name>.enter|exit, churn.risk|recovered, deadletter)"))
        #expect(lines.contains("  segd tail --endpoint tcp://127.0.0.1:7403 segment."))
        // No fixed time in the example: the daemon would refuse it as late a few seconds on.
        #expect(lines.contains(
            #"  segd send --endpoint tcp://127.0.0.1:7402 --now orders '{"event_id":"o-1","customer_id":"c-1","amount":59900,"currency":"USD"}'"#))
    }

    @Test("without a churn model no churn topics are announced")
    func withoutChurn() throws {
        let configuration = try SegdConfiguration.parse("""
            [[segment]]
            name = "buyer"
            rule = "orders_7d >= 1"
            """, file: "banner-test.toml")
        let text = StartupBanner.text(configuration, endpoints)
        #expect(text.contains("(consumers SUB-connect here; topics segment.<name>.enter|exit, deadletter)"))
        #expect(!text.contains("churn"))
    }
}
