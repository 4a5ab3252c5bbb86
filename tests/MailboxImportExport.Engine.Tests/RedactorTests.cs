using MailboxImportExport.Engine.Diagnostics;

namespace MailboxImportExport.Engine.Tests;

public class RedactorTests
{
    private const string Jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMiLCJleHAiOjF9.c2lnbmF0dXJlLWJ5dGVz";

    [Theory]
    [InlineData("POST https://h/api/gv1.0/Mailboxes('MBX:a@b')/importItem?authtoken=abc.def-ghi&x=1", "abc.def-ghi")]
    [InlineData("Authorization: Bearer abc123.def456", "abc123.def456")]
    [InlineData("client_id=1&client_secret=s3cr3t-value&grant_type=client_credentials", "s3cr3t-value")]
    [InlineData("{\"access_token\":\"opaque-token-value\",\"expires_in\":3599}", "opaque-token-value")]
    [InlineData("{\"refresh_token\": \"rt-value\"}", "rt-value")]
    [InlineData("client_assertion=assertion-value", "assertion-value")]
    [InlineData("token " + Jwt + " end", Jwt)]
    public void Secrets_are_masked(string text, string secret)
    {
        var redacted = Redactor.Redact(text);
        Assert.DoesNotContain(secret, redacted);
        Assert.Contains(Redactor.Mask, redacted);
    }

    [Fact]
    public void Ordinary_text_is_left_alone()
    {
        const string text = "GET https://graph.microsoft.com/v1.0/admin/exchange/mailboxes/MBX:a@b/folders?$top=10 -> 200";
        Assert.Equal(text, Redactor.Redact(text));
    }

    [Fact]
    public void Urls_are_described_without_their_query()
    {
        var described = Redactor.DescribeUrl(new Uri("https://h.test/api/gv1.0/Mailboxes('MBX:a@b')/importItem?authtoken=zzz"));
        Assert.Equal("https://h.test/api/gv1.0/Mailboxes('MBX:a@b')/importItem?" + Redactor.Mask, described);
    }
}
