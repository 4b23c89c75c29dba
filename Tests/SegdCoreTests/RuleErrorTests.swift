import SegdCore
import Testing

@Suite struct RuleErrorTests {
    private func error(_ text: String) -> RuleError? {
        do {
            _ = try RuleFixtures.compile(text)
            return nil
        } catch {
            return error
        }
    }

    private static let operand = #"a number, a feature name, true, false, segment(name) or "(""#

    @Test(arguments: [
        ("orders_30d > $5", "$", #"1:14: unexpected character "$""#),
        ("orders_30d = 3", "=", #"1:12: unexpected "=" (did you mean "=="?)"#),
        ("!segment(vip)", "!", #"1:1: unexpected "!" (did you mean "!=" or "not"?)"#),
        ("orders_30d > 1 && true", "&&", #"1:16: unexpected "&&" (did you mean "and"?)"#),
        ("orders_30d > 1 | true", "|", #"1:16: unexpected "|" (did you mean "or"?)"#),
        ("orders_30d > 3days", "3days", #"1:14: invalid number "3days": write digits with an optional fraction and exponent, like 12, 0.5 or 1e3"#),
        ("spend_90d > 1.", "1.", #"1:13: invalid number "1.": write digits with an optional fraction and exponent, like 12, 0.5 or 1e3"#),
        ("spend_90d > 1e+", "1e", #"1:13: invalid number "1e": write digits with an optional fraction and exponent, like 12, 0.5 or 1e3"#),
        ("spend_90d > 1e999", "1e999", #"1:13: number "1e999" is too large"#),
        ("Orders_30d > 1", "Orders_30d", #"1:1: unexpected "Orders_30d": names and keywords are lower case (did you mean "orders_30d"?)"#),
        ("true AND true", "AND", #"1:6: unexpected "AND": names and keywords are lower case (did you mean "and"?)"#),
    ])
    func lexicalErrors(text: String, token: String, message: String) {
        let error = error(text)
        #expect(error?.description == message)
        #expect(error?.token == token)
    }

    @Test(arguments: [
        ("", "", "1:1: unexpected end of rule, expected \(operand)"),
        ("orders_30d >", "", "1:13: unexpected end of rule, expected \(operand)"),
        ("orders_30d > > 3", ">", "1:14: expected \(operand), found \">\""),
        ("orders_30d > 1 and\n", "", "2:1: unexpected end of rule, expected \(operand)"),
        ("orders_30d > 1 b", "b", #"1:16: expected an operator or the end of the rule, found "b""#),
        ("orders_30d not 1", "not", #"1:12: expected an operator or the end of the rule, found "not""#),
        ("orders_30d between 1 or 2", "or", #"1:22: expected "and" after the lower bound of "between" at 1:12, found "or""#),
        ("orders_30d in 1, 2", "1", #"1:15: expected "[" after "in", found "1""#),
        ("orders_30d in [1, spend_90d]", "spend_90d", #"1:19: expected a number (lists hold numeric literals only), found "spend_90d""#),
        ("orders_30d in []", "]", #"1:16: expected a number (lists hold numeric literals only), found "]""#),
        ("orders_30d in [1 2]", "2", #"1:18: expected "," or "]" to close "[" at 1:15, found "2""#),
        ("orders_30d in [1, 2", "", #"1:20: unexpected end of rule, expected "," or "]" to close "[" at 1:15"#),
        ("segment vip", "vip", #"1:9: expected "(" after "segment", found "vip""#),
        ("segment(1)", "1", #"1:9: expected a segment name, found "1""#),
        ("segment(vip", "", #"1:12: unexpected end of rule, expected ")" to close "segment(" at 1:1"#),
    ])
    func syntaxErrors(text: String, token: String, message: String) {
        let error = error(text)
        #expect(error?.description == message)
        #expect(error?.token == token)
    }

    @Test(arguments: [
        ("(orders_30d > 3", "", #"1:16: unexpected end of rule, expected ")" to close "(" at 1:1"#),
        ("(orders_30d > 3 and (spend_90d > 1)", "", #"1:36: unexpected end of rule, expected ")" to close "(" at 1:1"#),
        ("((orders_30d + 1) * 2 > 3", "", #"1:26: unexpected end of rule, expected ")" to close "(" at 1:1"#),
        ("(orders_30d > 3\n or (spend_90d > 1 ]", "]", #"2:20: expected ")" to close "(" at 2:5, found "]""#),
        ("orders_30d > 3)", ")", #"1:15: unbalanced ")": there is no "(" to close"#),
        ("(orders_30d > 3))", ")", #"1:17: unbalanced ")": there is no "(" to close"#),
    ])
    func unbalancedParentheses(text: String, token: String, message: String) {
        let error = error(text)
        #expect(error?.description == message)
        #expect(error?.token == token)
    }

    @Test(arguments: [
        ("orders_30d < orders_90d < 5", "<", #"1:25: comparisons do not chain: write "orders_30d < orders_90d and orders_90d < 5""#),
        ("1 <= orders_30d<=3", "<=", #"1:16: comparisons do not chain: write "1 <= orders_30d and orders_30d <= 3""#),
        ("0 < orders_30d < ", "<", #"1:16: comparisons do not chain: combine them with "and" or "or""#),
        ("orders_30d between 1 and 2 < 3", "<", #"1:28: comparisons do not chain: combine them with "and" or "or""#),
        ("orders_30d == 1 in [1]", "in", #"1:17: comparisons do not chain: combine them with "and" or "or""#),
        ("orders_30d in [1] not in [2]", "not", #"1:19: comparisons do not chain: combine them with "and" or "or""#),
    ])
    func comparisonsDoNotChain(text: String, token: String, message: String) {
        let error = error(text)
        #expect(error?.description == message)
        #expect(error?.token == token)
    }

    @Test(arguments: [
        ("orders_30d and 3", "orders_30d", #"1:1: "and" needs a condition (true or false), found the number "orders_30d""#),
        ("orders_30d > 1 and 3", "3", #"1:20: "and" needs a condition (true or false), found the number "3""#),
        ("true or spend_90d", "spend_90d", #"1:9: "or" needs a condition (true or false), found the number "spend_90d""#),
        ("not orders_30d", "orders_30d", #"1:5: "not" needs a condition (true or false), found the number "orders_30d""#),
        ("(orders_30d + 1) and true", "orders_30d + 1", #"1:1: "and" needs a condition (true or false), found the number "orders_30d + 1""#),
        ("orders_30d + 1", "orders_30d + 1", #"1:1: a rule must be a condition (true or false), found the number "orders_30d + 1""#),
        ("3", "3", #"1:1: a rule must be a condition (true or false), found the number "3""#),
        ("segment(vip) + 1 > 2", "segment(vip)", #"1:1: "+" needs a number, found the condition "segment(vip)""#),
        ("(orders_30d > 1) > 0", "orders_30d > 1", #"1:1: ">" needs a number, found the condition "orders_30d > 1""#),
        ("orders_30d == true", "true", #"1:15: "==" needs a number, found the condition "true""#),
        ("-true or false", "true", #"1:2: "-" needs a number, found the condition "true""#),
        ("orders_30d between false and 2", "false", #"1:20: "between" needs a number, found the condition "false""#),
        ("segment(vip) not in [1]", "segment(vip)", #"1:1: "not in" needs a number, found the condition "segment(vip)""#),
        ("segment(vip) in [1]", "segment(vip)", #"1:1: "in" needs a number, found the condition "segment(vip)""#),
    ])
    func typeErrors(text: String, token: String, message: String) {
        let error = error(text)
        #expect(error?.description == message)
        #expect(error?.token == token)
    }

    @Test(arguments: [
        ("oders_30d > 1", "oders_30d", #"1:1: unknown feature "oders_30d" (did you mean "orders_30d"?)"#),
        ("orders_90d >= 3 and spend_90d > 500 and oders_30d > 1", "oders_30d", #"1:41: unknown feature "oders_30d" (did you mean "orders_30d"?)"#),
        ("sepnd_90d > 1", "sepnd_90d", #"1:1: unknown feature "sepnd_90d" (did you mean "spend_90d"?)"#),
        ("orders_3d > 1", "orders_3d", #"1:1: unknown feature "orders_3d" (did you mean "orders_30d"?)"#),
        ("orders > 1", "orders", #"1:1: unknown feature "orders""#),
        ("revenue > 1", "revenue", #"1:1: unknown feature "revenue""#),
        ("vip and orders_30d > 1", "vip", #"1:1: unknown feature "vip"; "vip" is a segment, write segment(vip)"#),
        ("segment(vipp)", "vipp", #"1:9: unknown segment "vipp" (did you mean "vip"?)"#),
        ("true and\n  segment( frequent_buyers )", "frequent_buyers", #"2:12: unknown segment "frequent_buyers" (did you mean "frequent_buyer"?)"#),
        ("segment(loyal)", "loyal", #"1:9: unknown segment "loyal""#),
        ("segment(orders_30d)", "orders_30d", #"1:9: unknown segment "orders_30d"; "orders_30d" is a feature, write it without segment(...)"#),
    ])
    func unknownNamesSuggestTheClosestKnownName(text: String, token: String, message: String) {
        let error = error(text)
        #expect(error?.description == message)
        #expect(error?.token == token)
    }

    @Test func theFirstErrorInTheTextIsReported() {
        #expect(error("oders_30d > 1 and spend > 1")?.column == 1)
        #expect(error("orders_30d and oders_30d")?.description == #"1:1: "and" needs a condition (true or false), found the number "orders_30d""#)
        #expect(error("orders_30d > 1 and oders_30d")?.description == #"1:20: unknown feature "oders_30d" (did you mean "orders_30d"?)"#)
    }

    @Test func nestingIsBounded() {
        let deepParentheses = String(repeating: "(", count: 101) + "true" + String(repeating: ")", count: 101)
        #expect(error(deepParentheses)?.description == "1:101: rule is nested too deeply (more than 100 levels)")
        let manyNots = String(repeating: "not ", count: 101) + "true"
        #expect(error(manyNots)?.description == "1:401: rule is nested too deeply (more than 100 levels)")
        // 100 additions stack 101 levels: the limit is crossed when the last operand is added.
        let longSum = "orders_30d" + String(repeating: " + 1", count: 100) + " > 1"
        #expect(error(longSum)?.description == "1:412: rule is nested too deeply (more than 100 levels)")
        let allowed = String(repeating: "(", count: 99) + "true" + String(repeating: ")", count: 99)
        #expect(error(allowed) == nil)
        #expect(error(String(repeating: "(", count: 100_000)) != nil)
    }
}
