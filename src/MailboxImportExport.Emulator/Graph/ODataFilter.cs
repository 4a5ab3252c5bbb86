using System.Globalization;
using System.Text.Json.Nodes;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>
/// The $filter subset the emulator understands: <c>property op literal</c> comparisons (eq, ne, gt, ge, lt, le)
/// and, where the entity has them, <c>singleValueExtendedProperties/Any(...)</c> (see <see cref="ExtendedPropertyQuery"/>),
/// joined with <c>and</c>. Anything else is a 400 that names what could not be parsed: a filter is never ignored.
/// </summary>
internal static class ODataFilter
{
    private static readonly string[] Operators = { "eq", "ne", "gt", "ge", "lt", "le" };

    /// <param name="extendedProperties">The entity's extended properties; null where the entity has none to filter on.</param>
    /// <param name="extendedPropertyFilterSupported">False makes a filter on extended properties a 400 "not supported".</param>
    public static Func<JsonObject, bool> Parse(string filter, EntitySchema schema,
        ExtendedPropertySource? extendedProperties = null, bool extendedPropertyFilterSupported = true)
    {
        var anyPredicates = new List<Func<JsonObject, bool>>();
        var rest = ExtendedPropertyQuery.ExtractAny(filter, extendedProperties, extendedPropertyFilterSupported, anyPredicates);
        if (schema.AllowsStartsWith) rest = ExtractStartsWith(rest, schema, anyPredicates);
        var tokens = Tokenize(rest, filter);
        var comparisons = new List<Func<JsonObject, bool>>();
        var position = 0;
        while (true)
        {
            if (position < tokens.Count && !tokens[position].Quoted && ExtendedPropertyQuery.IsPlaceholder(tokens[position].Text, out var any))
            {
                comparisons.Add(anyPredicates[any]);
                position++;
            }
            else
            {
                if (position + 3 > tokens.Count) throw Invalid(filter, "expected 'property operator value'");
                comparisons.Add(Comparison(tokens[position], tokens[position + 1], tokens[position + 2], schema, filter));
                position += 3;
            }
            if (position == tokens.Count) break;
            var joiner = tokens[position].Text;
            if (!joiner.Equals("and", StringComparison.OrdinalIgnoreCase) || tokens[position].Quoted)
            {
                throw Invalid(filter, $"'{joiner}' is not supported here; the emulator joins comparisons with 'and' only");
            }
            position++;
        }
        return entity => comparisons.All(c => c(entity));
    }

    private static readonly System.Text.RegularExpressions.Regex StartsWith = new(
        @"startswith\(\s*(?<property>[A-Za-z]\w*)\s*,\s*'(?<text>(?:[^']|'')*)'\s*\)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    /// <summary>Replaces each <c>startswith(property,'text')</c> with a placeholder standing for its predicate.</summary>
    private static string ExtractStartsWith(string filter, EntitySchema schema, List<Func<JsonObject, bool>> predicates) =>
        StartsWith.Replace(filter, match =>
        {
            var (name, kind) = schema.Resolve(match.Groups["property"].Value);
            if (kind != PropertyKind.String) throw Invalid(filter, $"startswith needs a string property, and '{name}' is not one");
            var prefix = match.Groups["text"].Value.Replace("''", "'");
            predicates.Add(entity => ReadValue(entity[name], kind) is string value && value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
            return ExtendedPropertyQuery.Placeholder(predicates.Count - 1);
        });

    private static Func<JsonObject, bool> Comparison(Token property, Token op, Token literal, EntitySchema schema, string filter)
    {
        if (property.Quoted || property.Text.Contains('(')) throw Invalid(filter, $"'{property.Text}' is not a property; functions are not supported");
        var (name, kind) = schema.Resolve(property.Text);
        var oper = op.Text.ToLowerInvariant();
        if (op.Quoted || !Operators.Contains(oper)) throw Invalid(filter, $"unknown operator '{op.Text}'");
        var expected = ParseLiteral(literal, kind, filter);
        if (kind == PropertyKind.Collection) throw Invalid(filter, $"'{name}' is a collection and cannot be compared");
        if (kind == PropertyKind.String && expected is not null && oper is not ("eq" or "ne"))
        {
            throw Invalid(filter, $"'{oper}' is not supported on the string property '{name}'");
        }
        return entity =>
        {
            var actual = ReadValue(entity[name], kind);
            var order = CompareValues(actual, expected);
            return oper switch
            {
                "eq" => order == 0,
                "ne" => order != 0,
                _ when actual is null || expected is null => false,
                "gt" => order > 0,
                "ge" => order >= 0,
                "lt" => order < 0,
                _ => order <= 0,
            };
        };
    }

    private static object? ParseLiteral(Token literal, PropertyKind kind, string filter)
    {
        if (!literal.Quoted && literal.Text == "null") return null;
        switch (kind)
        {
            case PropertyKind.String when literal.Quoted:
                return literal.Text;
            case PropertyKind.Number when !literal.Quoted && long.TryParse(literal.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number):
                return number;
            case PropertyKind.DateTime when TryParseDate(literal.Text, out var date):
                return date;
            default:
                throw Invalid(filter, $"'{literal.Text}' is not a valid {kind.ToString().ToLowerInvariant()} value");
        }
    }

    private static bool TryParseDate(string text, out DateTimeOffset date) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);

    /// <summary>The value of a property of an entity, typed the way its schema says, for comparing and sorting.</summary>
    public static object? ReadValue(JsonNode? node, PropertyKind kind) => node switch
    {
        null => null,
        JsonValue value when kind == PropertyKind.Number => value.GetValue<long>(),
        JsonValue value when kind == PropertyKind.DateTime && TryParseDate(value.GetValue<string>(), out var date) => date,
        JsonValue value => value.GetValue<string>(),
        _ => null,
    };

    /// <summary>Orders two property values; strings compare case-insensitively, as Exchange does; null sorts first.</summary>
    public static int CompareValues(object? left, object? right) => (left, right) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        (string a, string b) => string.Compare(a, b, StringComparison.OrdinalIgnoreCase),
        (IComparable a, _) => a.CompareTo(right),
        _ => 0,
    };

    private static GraphException Invalid(string filter, string reason) =>
        GraphException.BadRequest($"Invalid filter clause: {reason}. The filter was: {filter}");

    private readonly record struct Token(string Text, bool Quoted);

    /// <param name="original">The filter as the client sent it, for error messages.</param>
    private static List<Token> Tokenize(string filter, string original)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < filter.Length)
        {
            if (char.IsWhiteSpace(filter[i]))
            {
                i++;
            }
            else if (filter[i] == '\'')
            {
                var text = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= filter.Length) throw Invalid(original, "unterminated string literal");
                    if (filter[i] == '\'')
                    {
                        // OData escapes a quote inside a string by doubling it.
                        if (i + 1 < filter.Length && filter[i + 1] == '\'') { text.Append('\''); i += 2; continue; }
                        i++;
                        break;
                    }
                    text.Append(filter[i++]);
                }
                tokens.Add(new Token(text.ToString(), true));
            }
            else
            {
                var start = i;
                while (i < filter.Length && !char.IsWhiteSpace(filter[i]) && filter[i] != '\'') i++;
                var word = filter.Substring(start, i - start);
                if (word.StartsWith('(') || word.EndsWith(')'))
                {
                    throw Invalid(original, "parentheses and functions are not supported");
                }
                tokens.Add(new Token(word, false));
            }
        }
        return tokens;
    }
}
