using System.Net;
using System.Text.Json.Nodes;
using MailboxImportExport.Fts;

namespace MailboxImportExport.Emulator.Tests;

/// <summary>$expand and $filter on singleValueExtendedProperties of items, their values read from the stored export.</summary>
public class ExtendedPropertyTests(EmulatorFixture fx) : IClassFixture<EmulatorFixture>
{
    // Every form a client may write: any casing, zero-padded or not, each clause in parentheses or not.
    private const string Expand = "singleValueExtendedProperties($filter=(id eq 'string 0x0037') or id eq 'SystemTime 0xE06' or (id eq 'STRING 0x0C1A') " +
                                  "or id eq 'Binary 0x300B' or id eq 'String 0x1035' or id eq 'SystemTime 0x0039')";

    private string Items(string query) => fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox/items?" + query);

    private static Dictionary<string, string> Properties(JsonObject item) =>
        item["singleValueExtendedProperties"]!.AsArray().ToDictionary(p => (string)p!["id"]!, p => (string)p!["value"]!);

    [Theory]
    [InlineData("v1.0")]
    [InlineData("beta")]
    public async Task Expand_returns_the_asked_properties_of_each_item_with_normalised_ids_and_the_stored_values(string version)
    {
        var page = await fx.GetAsync(fx.MailboxPath(version, fx.AliceMailbox, "folders/inbox/items?$top=20&$expand=" + Uri.EscapeDataString(Expand)));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(20, page.Value.Count);
        foreach (var item in page.Value)
        {
            var properties = Properties(item);
            Assert.Equal(new[] { "Binary 0x300b", "String 0x1035", "String 0x37", "String 0xc1a", "SystemTime 0x39", "SystemTime 0xe06" }, properties.Keys.Order(StringComparer.Ordinal));
            var summary = FtsReader.TryReadSummary(fx.Control.GetItemData((string)item["id"]!), out _)!;
            Assert.Equal(summary.Subject, properties["String 0x37"]);
            Assert.Equal(summary.SenderName, properties["String 0xc1a"]);
            Assert.Equal(summary.MessageDeliveryTime, DateTime.Parse(properties["SystemTime 0xe06"], null, System.Globalization.DateTimeStyles.AdjustToUniversal));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", properties["SystemTime 0x39"]);
            Assert.Equal(16, Convert.FromBase64String(properties["Binary 0x300b"]).Length);
            Assert.Matches("^<.+@contoso.test>$", properties["String 0x1035"]);
        }
    }

    [Fact]
    public async Task Expand_on_one_item_and_with_select_keeps_the_properties()
    {
        var first = (await fx.GetAsync(Items("$top=1"))).Value[0];
        var one = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox,
            $"folders/inbox/items/{Uri.EscapeDataString((string)first["id"]!)}?$select=size&$expand=" + Uri.EscapeDataString("singleValueExtendedProperties($filter=id eq 'String 0x0037')")));

        Assert.Equal(HttpStatusCode.OK, one.Status);
        Assert.Null(one.Body!["createdDateTime"]);
        var property = Assert.Single(one.Body["singleValueExtendedProperties"]!.AsArray());
        Assert.Equal("String 0x37", (string?)property!["id"]);
    }

    [Fact]
    public async Task A_property_an_item_lacks_is_left_out()
    {
        var planted = fx.Control.AddItem(fx.BobMailbox, "inbox", Blob("No sender here"));
        var reply = await fx.GetAsync(fx.MailboxPath("v1.0", fx.BobMailbox, $"folders/inbox/items/{Uri.EscapeDataString(planted)}?$expand=" + Uri.EscapeDataString(Expand)));

        Assert.Equal(new[] { "String 0x37" }, Properties(reply.Body!).Keys);
    }

    [Fact]
    public async Task Filter_any_finds_an_item_by_message_id_search_key_subject_prefix_or_a_number()
    {
        var all = (await fx.GetAsync(Items("$top=200&$expand=" + Uri.EscapeDataString(Expand)))).Value;
        var target = all[7];
        var properties = Properties(target);

        async Task<List<string>> Find(string filter) =>
            (await fx.GetAsync(Items("$top=200&$filter=" + Uri.EscapeDataString(filter)))).Value.Select(i => (string)i["id"]!).ToList();

        Assert.Equal(new[] { (string)target["id"]! },
            await Find($"singleValueExtendedProperties/Any(ep: ep/id eq 'String 0x1035' and ep/value eq '{properties["String 0x1035"]}')"));
        Assert.Equal(new[] { (string)target["id"]! },
            await Find($"singleValueExtendedProperties/any(x: x/value eq '{properties["Binary 0x300b"]}' and x/id eq 'binary 0x300b') and type eq 'IPM.Note'"));
        var prefix = properties["String 0x37"][..5];
        Assert.Equal(all.Where(i => Properties(i)["String 0x37"].StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(i => (string)i["id"]!).Order(),
            (await Find($"singleValueExtendedProperties/Any(ep: ep/id eq 'String 0x0037' and startswith(ep/value, '{prefix.Replace("'", "''")}'))")).Order());
        Assert.Equal(all.Count, (await Find("singleValueExtendedProperties/Any(ep: ep/id eq 'Integer 0x0E07' and cast(ep/value, Edm.Int32) eq 1)")).Count);
        Assert.Empty(await Find("singleValueExtendedProperties/Any(ep: ep/id eq 'String 0x1035' and ep/value eq '<nobody@nowhere>')"));
    }

    [Fact]
    public async Task With_the_switch_off_a_filter_on_extended_properties_is_400_not_supported()
    {
        using var _ = EmulatorFixture.Temporarily(() => fx.Control.ExtendedPropertyFilterSupported, v => fx.Control.ExtendedPropertyFilterSupported = v, false);
        var reply = await fx.GetAsync(Items("$filter=" + Uri.EscapeDataString("singleValueExtendedProperties/Any(ep: ep/id eq 'String 0x1035' and ep/value eq 'x')")));
        var expand = await fx.GetAsync(Items("$top=1&$expand=" + Uri.EscapeDataString(Expand)));

        reply.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("not supported", reply.ErrorMessage);
        Assert.Equal(HttpStatusCode.OK, expand.Status);
    }

    [Theory]
    [InlineData("$expand=singleValueExtendedProperties", "$expand")]
    [InlineData("$expand=singleValueExtendedProperties($filter=id eq 'String {00020329-0000-0000-c000-000000000046} Name Keywords')", "named property")]
    [InlineData("$expand=singleValueExtendedProperties($filter=id eq 'Text 0x0037')", "not a property id")]
    [InlineData("$expand=singleValueExtendedProperties($filter=id ne 'String 0x0037')", "id eq")]
    [InlineData("$filter=singleValueExtendedProperties/Any(ep: ep/value eq 'x')", "ep/id eq")]
    [InlineData("$filter=singleValueExtendedProperties/Any(ep: ep/id eq 'String 0x0037' and contains(ep/value, 'x'))", "not supported inside")]
    public async Task Unsupported_forms_are_400_naming_the_problem(string query, string mentions)
    {
        var reply = await fx.GetAsync(Items(query));

        reply.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains(mentions, reply.ErrorMessage);
    }

    [Fact]
    public async Task Folders_and_item_delta_do_not_expand()
    {
        var folders = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders?$expand=" + Uri.EscapeDataString(Expand)));
        var delta = await fx.GetAsync(fx.MailboxPath("v1.0", fx.AliceMailbox, "folders/inbox/items/delta?$expand=" + Uri.EscapeDataString(Expand)));

        folders.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
        delta.AssertGraphError(HttpStatusCode.BadRequest, "BadRequest");
    }

    private static byte[] Blob(string subject)
    {
        var message = new FtsMessage();
        message.Properties.Add(FtsProperty.String(FtsPropertyId.MessageClass, "IPM.Note"));
        message.Properties.Add(FtsProperty.String(FtsPropertyId.Subject, subject));
        return new FtsWriter().Write(message);
    }
}
