using System.Globalization;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

public sealed class AuthTests
{
    private const string Password = "s3cret-Pa55";

    [Fact]
    public async Task Authenticates_with_a_password_alone()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", Password);
        await using var harness = Scrapes.Harness(redis.Address, ("password", Password));
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
    }

    [Fact]
    public async Task Authenticates_with_an_ACL_user_and_password()
    {
        await using var redis = await RedisServer.StartAsync("--user", "default", "off", "--user", "monitor", "on", ">" + Password, "~*", "&*", "+@all");
        await using var harness = Scrapes.Harness(redis.Address, ("user", "monitor"), ("password", Password));
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
    }

    [Fact]
    public async Task Reads_the_password_from_a_file_or_a_JSON_map_of_addresses()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", Password);
        var directory = Tools.TempDirectory("redis-auth");
        var plain = Path.Combine(directory, "password");
        await File.WriteAllTextAsync(plain, Password + "\n");
        await using (var harness = Scrapes.Harness(redis.Address, ("password_file", plain)))
        {
            Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        }

        var map = Path.Combine(directory, "passwords.json");
        await File.WriteAllTextAsync(map, $"{{\"redis://other:6379\": \"nope\", \"{redis.Address}\": \"{Password}\"}}");
        await using (var harness = Scrapes.Harness(redis.Address, ("password_file", map)))
        {
            Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        }
    }

    [Fact]
    public async Task Takes_the_password_from_the_address()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", Password);
        await using var harness = Scrapes.Harness($"redis://:{Password}@127.0.0.1:{redis.Port}");
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
    }

    [Fact]
    public async Task A_wrong_or_missing_password_gives_up_0_and_never_shows_the_password()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", Password);
        await using (var harness = Scrapes.Harness(redis.Address, ("password", "wrong-one")))
        {
            var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
            Assert.Equal(0, parsed.Value("redis_up"));
            Assert.Contains("AUTH failed", text, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong-one", text, StringComparison.Ordinal);
            Assert.DoesNotContain(harness.Logger.Lines, l => l.Contains("wrong-one", StringComparison.Ordinal));
        }

        await using (var harness = Scrapes.Harness(redis.Address))
        {
            var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
            Assert.Equal(0, parsed.Value("redis_up"));
            Assert.Contains("NOAUTH", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Probe_targets_never_receive_the_instance_password()
    {
        await using var configured = await RedisServer.StartAsync("--requirepass", Password);
        await using var other = new FakeRedisServer(FakeReplies.Handler());
        await using var harness = Scrapes.Harness(configured.Address, ("password", Password));
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));

        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness, target: other.Address);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.DoesNotContain(other.Commands, c => c[0] == "AUTH");
        Assert.DoesNotContain(other.Commands, c => c.Contains(Password));

        // The configured target is still scraped with its password on its own kept connection.
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
    }

    [Fact]
    public async Task Probe_targets_get_their_own_credentials_or_the_instance_ones_only_when_allowed()
    {
        await using var other = new FakeRedisServer(FakeReplies.Handler());
        await using (var harness = Scrapes.Harness("redis://127.0.0.1:1", ("password", Password), ("probe_targets:0:address", $"127.0.0.1:{other.Port}"), ("probe_targets:0:user", "probe"), ("probe_targets:0:password", "probe-pass")))
        {
            var (parsed, text, _) = await Scrapes.ScrapeAsync(harness, target: other.Address);
            Assert.True(parsed.Value("redis_up") == 1, text);
            Assert.Contains(other.Commands, c => c is ["AUTH", "probe", "probe-pass"]);
        }

        await using var shared = new FakeRedisServer(FakeReplies.Handler());
        await using (var harness = Scrapes.Harness("redis://127.0.0.1:1", ("password", Password), ("probe_use_instance_credentials", "true")))
        {
            Assert.Equal(1, (await Scrapes.ScrapeAsync(harness, target: shared.Address)).Parsed.Value("redis_up"));
            Assert.Contains(shared.Commands, c => c is ["AUTH", Password]);
        }
    }

    [Fact]
    public async Task A_probe_of_another_real_server_uses_its_entry_and_not_the_instance_password()
    {
        await using var first = await RedisServer.StartAsync("--requirepass", Password);
        await using var second = await RedisServer.StartAsync("--requirepass", "second-pass");
        await using var harness = Scrapes.Harness(first.Address, ("password", Password), ("probe_targets:0:address", second.Address), ("probe_targets:0:password", "second-pass"));
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness, target: second.Address)).Parsed.Value("redis_up"));
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness, target: first.Address)).Parsed.Value("redis_up"));
        Assert.Equal(second.Port.ToString(CultureInfo.InvariantCulture), (await Scrapes.ScrapeAsync(harness, target: second.Address)).Parsed.Families["redis_instance_info"].Samples[0].Labels["tcp_port"]);
    }

    [Fact]
    public async Task A_missing_password_file_gives_up_0_naming_the_file()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", Password);
        var file = Path.Combine(Tools.TempDirectory("redis-auth"), "password");
        await File.WriteAllTextAsync(file, Password);
        await using var harness = Scrapes.Harness(redis.Address, ("password_file", file));
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        File.Delete(file);
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(0, parsed.Value("redis_up"));
        Assert.Contains(file, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotated_password_file_takes_effect_at_the_next_scrape()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", Password);
        var file = Path.Combine(Tools.TempDirectory("redis-auth"), "password");
        await File.WriteAllTextAsync(file, Password);
        await using var harness = Scrapes.Harness(redis.Address, ("password_file", file));
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        await redis.CliAsync("-a", Password, "--no-auth-warning", "CONFIG", "SET", "requirepass", "rotated-pass");
        await redis.CliAsync("-a", "rotated-pass", "--no-auth-warning", "CLIENT", "KILL", "TYPE", "normal");
        await File.WriteAllTextAsync(file, "rotated-pass");
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
    }
}
