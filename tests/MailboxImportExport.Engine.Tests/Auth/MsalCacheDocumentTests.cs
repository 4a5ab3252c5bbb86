using System.Text;
using System.Text.Json.Nodes;
using MailboxImportExport.Engine.Auth.TokenCache;

namespace MailboxImportExport.Engine.Tests.Auth;

public class MsalCacheDocumentTests
{
    private const string App = "0b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Tenant = "7f3c2a10-0d5e-4c7b-9a41-3e5d6c7b8a90";

    private static byte[] Cache() => Encoding.UTF8.GetBytes($$"""
        {
          "AccessToken": {
            "app-this-tenant": { "home_account_id": "", "client_id": "{{App.ToUpperInvariant()}}", "realm": "{{Tenant}}", "secret": "a" },
            "app-other-tenant": { "home_account_id": "", "client_id": "{{App}}", "realm": "11111111-1111-1111-1111-111111111111", "secret": "b" },
            "other-app": { "home_account_id": "", "client_id": "22222222-2222-2222-2222-222222222222", "realm": "{{Tenant}}", "secret": "c" },
            "user-token": { "home_account_id": "uid.utid", "client_id": "{{App}}", "realm": "{{Tenant}}", "secret": "d" }
          },
          "RefreshToken": { "user-refresh": { "home_account_id": "uid.utid", "client_id": "{{App}}", "secret": "e" } },
          "AppMetadata": {}
        }
        """);

    [Fact]
    public void Removes_only_the_app_only_tokens_of_that_app_in_that_tenant()
    {
        var result = MsalCacheDocument.WithoutAppTokens(Cache(), App, Tenant, out var removed);

        Assert.Equal(1, removed);
        var document = JsonNode.Parse(result)!.AsObject();
        var remaining = document["AccessToken"]!.AsObject().Select(p => p.Key).Order().ToArray();
        Assert.Equal(new[] { "app-other-tenant", "other-app", "user-token" }, remaining);
        Assert.NotNull(document["RefreshToken"]!["user-refresh"]);
    }

    [Fact]
    public void Leaves_an_empty_cache_or_one_without_matches_untouched()
    {
        Assert.Empty(MsalCacheDocument.WithoutAppTokens(Array.Empty<byte>(), App, Tenant, out var none));
        Assert.Equal(0, none);

        var cache = Cache();
        Assert.Same(cache, MsalCacheDocument.WithoutAppTokens(cache, "33333333-3333-3333-3333-333333333333", Tenant, out var removed));
        Assert.Equal(0, removed);
    }
}
