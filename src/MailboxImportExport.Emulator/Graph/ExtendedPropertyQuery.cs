using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailboxImportExport.Emulator.Storage;

namespace MailboxImportExport.Emulator.Graph;

/// <summary>Where the properties of an entity come from, for <c>$expand</c> and <c>$filter</c> on extended properties.</summary>
internal delegate IReadOnlyDictionary<ExtendedPropertyId, string> ExtendedPropertySource(JsonObject entity);

/// <summary>
/// The documented forms of extended-property queries (graph-api-notes §6, exactly-once-notes §3):
/// <c>$expand=singleValueExtendedProperties($filter=id eq 'String 0x0037' or (id eq 'SystemTime 0x0E06'))</c>, and in
/// <c>$filter</c>, <c>singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')</c> with eq/ne/gt/ge/lt/le
/// on the value, <c>startswith(ep/value,'…')</c> or <c>cast(ep/value, Edm.Int32) op n</c>.
/// </summary>
internal static class ExtendedPropertyQuery
{
    public const string Navigation = "singleValueExtendedProperties";

    private static readonly Regex ExpandForm = new(@"^\s*singleValueExtendedProperties\s*\(\s*\$filter\s*=(?<filter>.*)\)\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    private static readonly Regex IdEquals = new(@"^\(?\s*id\s+eq\s+'(?<id>(?:[^']|'')*)'\s*\)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex AnyStart = new(@"singleValueExtendedProperties/any\(\s*(?<alias>[A-Za-z_]\w*)\s*:",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The property ids a <c>$expand</c> asks for; anything but the documented form is a 400 naming the problem.</summary>
    public static IReadOnlyList<ExtendedPropertyId> ParseExpand(string expand)
    {
        var match = ExpandForm.Match(expand);
        if (!match.Success)
        {
            throw GraphException.BadRequest(
                $"Invalid $expand '{expand}': the emulator expands singleValueExtendedProperties($filter=id eq '<type> 0x<tag>' or id eq ...) only.");
        }
        var ids = new List<ExtendedPropertyId>();
        foreach (var clause in SplitOutsideQuotes(match.Groups["filter"].Value.Trim(), " or "))
        {
            var id = IdEquals.Match(clause.Trim());
            if (!id.Success) throw GraphException.BadRequest($"Invalid $expand filter clause '{clause.Trim()}': expected id eq '<type> 0x<tag>'.");
            ids.Add(ParseId(id.Groups["id"].Value.Replace("''", "'")));
        }
        return ids;
    }

    /// <summary>Adds the asked-for properties the entity has, normalised as Graph writes their ids.</summary>
    public static void Expand(JsonObject entity, IReadOnlyList<ExtendedPropertyId> ids, ExtendedPropertySource source)
    {
        var properties = source(entity);
        var values = new JsonArray();
        foreach (var id in ids.Distinct())
            if (properties.TryGetValue(id, out var value)) values.Add(new JsonObject { ["id"] = id.ToString(), ["value"] = value });
        entity[Navigation] = values;
    }

    /// <summary>
    /// Replaces each <c>singleValueExtendedProperties/Any(...)</c> of a filter with a placeholder word, returning the
    /// predicates they stand for, so the rest of the filter parses as before.
    /// </summary>
    public static string ExtractAny(string filter, ExtendedPropertySource? source, bool supported, List<Func<JsonObject, bool>> predicates)
    {
        while (AnyStart.Match(filter) is { Success: true } start)
        {
            if (source is null) throw GraphException.BadRequest($"Invalid filter clause: {Navigation} cannot be filtered on this resource. The filter was: {filter}");
            if (!supported) throw GraphException.BadRequest($"Filtering on {Navigation} is not supported. The filter was: {filter}");
            var end = ClosingParenthesis(filter, filter.IndexOf('(', start.Index));
            var body = filter.Substring(start.Index + start.Length, end - start.Index - start.Length);
            predicates.Add(ParseAnyBody(body, start.Groups["alias"].Value, source, filter));
            filter = string.Concat(filter.AsSpan(0, start.Index), Placeholder(predicates.Count - 1), filter.AsSpan(end + 1));
        }
        return filter;
    }

    public static string Placeholder(int index) => $"\u0001{index}";

    public static bool IsPlaceholder(string word, out int index)
    {
        index = -1;
        return word.Length > 1 && word[0] == '\u0001' && int.TryParse(word.AsSpan(1), out index);
    }

    private static Func<JsonObject, bool> ParseAnyBody(string body, string alias, ExtendedPropertySource source, string filter)
    {
        var a = Regex.Escape(alias);
        var idClause = new Regex($@"^\s*{a}/id\s+eq\s+'(?<v>(?:[^']|'')*)'\s*$", RegexOptions.IgnoreCase);
        var compare = new Regex($@"^\s*{a}/value\s+(?<op>eq|ne|gt|ge|lt|le)\s+'(?<v>(?:[^']|'')*)'\s*$", RegexOptions.IgnoreCase);
        var startsWith = new Regex($@"^\s*startswith\(\s*{a}/value\s*,\s*'(?<v>(?:[^']|'')*)'\s*\)\s*$", RegexOptions.IgnoreCase);
        var cast = new Regex($@"^\s*cast\(\s*{a}/value\s*,\s*'?Edm\.Int32'?\s*\)\s+(?<op>eq|ne|gt|ge|lt|le)\s+(?<v>-?\d+)\s*$", RegexOptions.IgnoreCase);

        var clauses = SplitOutsideQuotes(body, " and ");
        ExtendedPropertyId? id = null;
        Func<string, bool>? test = null;
        foreach (var clause in clauses)
        {
            if (idClause.Match(clause) is { Success: true } idMatch && id is null)
            {
                id = ParseId(Unquote(idMatch));
            }
            else if (compare.Match(clause) is { Success: true } c && test is null)
            {
                var expected = Unquote(c);
                var op = c.Groups["op"].Value.ToLowerInvariant();
                test = actual => Holds(op, string.Compare(actual, expected, StringComparison.OrdinalIgnoreCase));
            }
            else if (startsWith.Match(clause) is { Success: true } s && test is null)
            {
                var prefix = Unquote(s);
                test = actual => actual.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
            }
            else if (cast.Match(clause) is { Success: true } n && test is null)
            {
                var expected = long.Parse(n.Groups["v"].Value, System.Globalization.CultureInfo.InvariantCulture);
                var op = n.Groups["op"].Value.ToLowerInvariant();
                test = actual => long.TryParse(actual, out var number) && Holds(op, number.CompareTo(expected));
            }
            else
            {
                throw GraphException.BadRequest($"Invalid filter clause: '{clause.Trim()}' is not supported inside {Navigation}/any. The filter was: {filter}");
            }
        }
        if (id is not { } property || test is null)
        {
            throw GraphException.BadRequest(
                $"Invalid filter clause: {Navigation}/any needs {alias}/id eq '<type> 0x<tag>' and one condition on {alias}/value. The filter was: {filter}");
        }
        return entity => source(entity).TryGetValue(property, out var value) && test(value);
    }

    private static bool Holds(string op, int order) => op switch
    {
        "eq" => order == 0,
        "ne" => order != 0,
        "gt" => order > 0,
        "ge" => order >= 0,
        "lt" => order < 0,
        _ => order <= 0,
    };

    private static string Unquote(Match match) => match.Groups["v"].Value.Replace("''", "'");

    private static ExtendedPropertyId ParseId(string text) =>
        ExtendedPropertyId.TryParse(text, out var id, out var problem) ? id : throw GraphException.BadRequest($"Invalid extended property id: {problem}.");

    /// <summary>The index of the ')' closing the '(' at <paramref name="open"/>, skipping quoted literals.</summary>
    private static int ClosingParenthesis(string text, int open)
    {
        var depth = 0;
        var quoted = false;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'') quoted = !quoted;
            else if (!quoted && c == '(') depth++;
            else if (!quoted && c == ')' && --depth == 0) return i;
        }
        throw GraphException.BadRequest($"Invalid filter clause: unbalanced parentheses. The filter was: {text}");
    }

    /// <summary>Splits on a keyword (" or ", " and ") outside quoted literals, ignoring case.</summary>
    private static List<string> SplitOutsideQuotes(string text, string separator)
    {
        var parts = new List<string>();
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\'') quoted = !quoted;
            else if (!quoted && string.Compare(text, i, separator, 0, separator.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                parts.Add(text.Substring(start, i - start));
                start = i + separator.Length;
                i = start - 1;
            }
        }
        parts.Add(text.Substring(start));
        return parts;
    }
}
