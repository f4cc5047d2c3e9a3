import Testing

@testable import Wmflib

@Suite struct KeySuggestionsTests {
    @Test func suggestsTheClosestKeysFirst() {
        let keys = ["cookbooks_cache_dir", "cookbooks_base_dirs", "logs_base_dir"]
        #expect(
            KeySuggestions.closeMatches(to: "cookbooks_base_dir", among: keys) == [
                "cookbooks_base_dirs", "cookbooks_cache_dir",
            ])
        #expect(KeySuggestions.closeMatches(to: "log_base_dir", among: keys) == ["logs_base_dir"])
        #expect(
            KeySuggestions.didYouMean("cache_rev", among: ["cache_revs", "git_repo"]) == " (did you mean 'cache_revs'?)"
        )
    }

    @Test func saysNothingWhenNothingIsClose() {
        #expect(
            KeySuggestions.closeMatches(to: "site_extension", among: ["cookbooks_base_dirs", "logs_base_dir"]).isEmpty)
        #expect(KeySuggestions.didYouMean("x", among: [String]()) == "")
        let long = String(repeating: "k", count: 10_000)
        #expect(KeySuggestions.closeMatches(to: long, among: ["key"]).isEmpty)
        #expect(KeySuggestions.editDistance("kitten", "sitting", atMost: 5) == 3)
    }
}
