using MailboxImportExport.Engine.Auth;

namespace MailboxImportExport.Engine.Tests.Auth;

public class ServiceEndpointsTests
{
    [Theory]
    [InlineData(ExEnvironment.Global, "https://login.microsoftonline.com/", "https://graph.microsoft.com/")]
    [InlineData(ExEnvironment.USGovernment, "https://login.microsoftonline.us/", "https://graph.microsoft.us/")]
    [InlineData(ExEnvironment.USGovernmentDoD, "https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/")]
    [InlineData(ExEnvironment.China, "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/")]
    public void Each_cloud_signs_in_and_calls_graph_at_its_own_hosts(ExEnvironment cloud, string authorityHost, string graph)
    {
        var endpoints = ServiceEndpoints.Cloud(cloud);

        Assert.Equal(authorityHost, endpoints.AuthorityHost.AbsoluteUri);
        Assert.Equal(graph, endpoints.GraphRoot.AbsoluteUri);
        Assert.Equal(graph + ".default", endpoints.DefaultScope);
        Assert.Equal($"{authorityHost}contoso.onmicrosoft.com", endpoints.Authority("contoso.onmicrosoft.com"));
        Assert.True(endpoints.IsKnownCloud);
        Assert.False(endpoints.IsEmulator);
    }

    [Fact]
    public void Delegated_scopes_without_a_resource_are_the_clouds_graph_scopes()
    {
        var endpoints = ServiceEndpoints.Cloud(ExEnvironment.USGovernment);

        Assert.Equal("https://graph.microsoft.us/MailboxItem.ImportExport", endpoints.QualifyScope("MailboxItem.ImportExport"));
        Assert.Equal("https://graph.microsoft.us/User.Read.All", endpoints.QualifyScope("https://graph.microsoft.us/User.Read.All"));
        Assert.Equal("offline_access", endpoints.QualifyScope("offline_access"));
    }

    [Fact]
    public void An_emulator_serves_both_sign_in_and_graph_for_graphs_global_audience()
    {
        var endpoints = ServiceEndpoints.Emulator(new Uri("https://127.0.0.1:5001"));

        Assert.Equal("https://127.0.0.1:5001/", endpoints.AuthorityHost.AbsoluteUri);
        Assert.Equal("https://127.0.0.1:5001/", endpoints.GraphRoot.AbsoluteUri);
        Assert.Equal("https://graph.microsoft.com/.default", endpoints.DefaultScope);
        Assert.True(endpoints.IsEmulator);
        Assert.False(endpoints.IsKnownCloud);
    }

    [Theory]
    [InlineData("http://login.example.com/", "https://graph.example.com/", "authority host")]
    [InlineData("https://login.example.com/", "http://graph.example.com/", "Graph endpoint")]
    public void Explicit_hosts_must_be_https(string authorityHost, string graph, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => ServiceEndpoints.Custom(new Uri(authorityHost), new Uri(graph)));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Explicit_hosts_ask_for_tokens_for_their_own_graph()
    {
        var endpoints = ServiceEndpoints.Custom(new Uri("https://login.sovereign.example"), new Uri("https://graph.sovereign.example/"));

        Assert.Equal("https://graph.sovereign.example/.default", endpoints.DefaultScope);
        Assert.Equal("Custom", endpoints.Name);
        Assert.False(endpoints.IsKnownCloud);
    }
}
