import SegdCore
import Testing

@Suite struct RuleParserTests {
    @Test(arguments: [
        ("a + b * c", "(+ a (* b c))"),
        ("a * b + c", "(+ (* a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b / c", "(/ (/ a b) c)"),
        ("a - b + c", "(+ (- a b) c)"),
        ("-a * b", "(* (neg a) b)"),
        ("- -a", "(neg (neg a))"),
        ("a - -b", "(- a (neg b))"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("a + b > c * d", "(> (+ a b) (* c d))"),
        ("a > 1 or b > 1 and c > 1", "(or (> a 1) (and (> b 1) (> c 1)))"),
        ("a > 1 and b > 1 or c > 1", "(or (and (> a 1) (> b 1)) (> c 1))"),
        ("true or false or true", "(or (or true false) true)"),
        ("true and false and true", "(and (and true false) true)"),
        ("not a > 1 and b > 1", "(and (not (> a 1)) (> b 1))"),
        ("not not true", "(not (not true))"),
        ("not (a > 1 or b > 1)", "(not (or (> a 1) (> b 1)))"),
        ("a <= 1 or a >= 2 or a == 3 or a != 4 or a < 5", "(or (or (or (or (<= a 1) (>= a 2)) (== a 3)) (!= a 4)) (< a 5))"),
    ])
    func precedenceAndAssociativity(text: String, tree: String) throws {
        #expect(try RuleExpression(parsing: text).tree == tree)
    }

    @Test(arguments: [
        ("x between 1 and 5", "(between x 1 5)"),
        ("x between 1 and 5 and y > 2", "(and (between x 1 5) (> y 2))"),
        ("y > 2 and x between 1 and 5", "(and (> y 2) (between x 1 5))"),
        ("x between -1 and a + 1", "(between x (neg 1) (+ a 1))"),
        ("x + 1 between a * 2 and b", "(between (+ x 1) (* a 2) b)"),
        ("not x between 1 and 5", "(not (between x 1 5))"),
        ("x in [1, 2.5, -3]", "(in x [1 2.5 -3])"),
        ("x not in [1]", "(not-in x [1])"),
        ("not x in [1]", "(not (in x [1]))"),
        ("x * 2 in [4] or y not in [0, 1]", "(or (in (* x 2) [4]) (not-in y [0 1]))"),
        ("segment(vip) or x > 1", "(or segment(vip) (> x 1))"),
        ("not segment(vip) and segment(churned)", "(and (not segment(vip)) segment(churned))"),
        ("1e3 == 1000", "(== 1000 1000)"),
        ("a > 1\n  and b < 2", "(and (> a 1) (< b 2))"),
    ])
    func betweenMembershipAndSegments(text: String, tree: String) throws {
        #expect(try RuleExpression(parsing: text).tree == tree)
    }

    @Test(arguments: [
        ("a+b*c", "a + b * c"),
        ("(a + b) * c", "(a + b) * c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("a / (b * c)", "a / (b * c)"),
        ("-(a+b)", "-(a + b)"),
        ("a>1 and (b>1 or c>1)", "a > 1 and (b > 1 or c > 1)"),
        ("(a > 1) and b > 1", "a > 1 and b > 1"),
        ("a > 1 and (b > 1 and c > 1)", "a > 1 and (b > 1 and c > 1)"),
        ("not(a>1)", "not a > 1"),
        ("x   between 1 and(2)", "x between 1 and 2"),
        ("x not in [1,2]", "x not in [1, 2]"),
        ("x in [ -0.50 ]", "x in [-0.5]"),
        ("segment( vip )", "segment(vip)"),
        ("a >= 0.50", "a >= 0.5"),
        ("a == 1e3", "a == 1000"),
        ("a == 1e20", "a == 1e+20"),
        ("a == 2.5E-3", "a == 0.0025"),
    ])
    func descriptionIsCanonical(text: String, canonical: String) throws {
        let expression = try RuleExpression(parsing: text)
        #expect(expression.description == canonical)
        #expect(try RuleExpression(parsing: canonical).tree == expression.tree)
    }

    @Test func locationsPointAtTheFirstTokenOfEachNode() throws {
        let expression = try RuleExpression(parsing: "a > 1 and\n  (b + 2) * c < 3")
        guard case .and(let left, let right) = expression.node, case .comparison(_, let product, _) = right.node,
            case .arithmetic(_, let sum, _) = product.node
        else {
            Issue.record("unexpected shape \(expression.tree)")
            return
        }
        #expect(left.location == RuleLocation(line: 1, column: 1))
        #expect(right.location == RuleLocation(line: 2, column: 3))
        #expect(sum.location == RuleLocation(line: 2, column: 3))
    }
}
