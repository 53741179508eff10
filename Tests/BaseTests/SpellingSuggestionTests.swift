import Testing

@testable import Base

@Suite struct SpellingSuggestionTests {
    let attacks = ["fgsm", "bim", "ll", "ill", "pgd", "pgd-l2", "apgd", "apgd-t", "fab", "cw", "square"]

    @Test func swapsDeletionsInsertionsAndCaseAreOneEdit() {
        #expect(SpellingSuggestion.closest(to: "fsgm", among: attacks) == ["fgsm"])
        #expect(SpellingSuggestion.closest(to: "sqare", among: attacks) == ["square"])
        #expect(SpellingSuggestion.closest(to: "PGD", among: attacks) == ["pgd"])
        #expect(SpellingSuggestion.closest(to: "epoch", among: ["epochs", "eps"]) == ["epochs"])
    }

    @Test func aPrefixOfThreeOrMoreCharactersNamesItsCompletion() {
        #expect(SpellingSuggestion.closest(to: "early", among: ["early-stop-pgd", "eps"]) == ["early-stop-pgd"])
        #expect(SpellingSuggestion.closest(to: "ea", among: ["early-stop-pgd"]).isEmpty)
    }

    @Test func onlyTheNearestNamesAndAtMostTwo() {
        #expect(SpellingSuggestion.closest(to: "aee", among: ["mlp", "ae", "aae", "wae"]) == ["ae", "aae"])
        #expect(SpellingSuggestion.closest(to: "pgd2", among: attacks) == ["pgd"])
    }

    @Test func unrelatedWordsGetNothing() {
        #expect(SpellingSuggestion.closest(to: "zap", among: attacks).isEmpty)
        #expect(SpellingSuggestion.closest(to: "resnet", among: ["mlp", "cnn", "vae", "ddpm"]).isEmpty)
        #expect(SpellingSuggestion.closest(to: "", among: attacks).isEmpty)
        #expect(SpellingSuggestion.hint(for: "zap", among: attacks) == "")
    }

    @Test func theHintFollowsTheWord() {
        #expect(SpellingSuggestion.hint(for: "fsgm", among: attacks) == ": did you mean 'fgsm'?")
        #expect(SpellingSuggestion.hint(for: "aee", among: ["ae", "aae"]) == ": did you mean 'ae' or 'aae'?")
        #expect(SpellingSuggestion.hint(for: "step", among: ["steps"], shownWith: "--") == ": did you mean '--steps'?")
    }
}
