using System.Globalization;

namespace Exporters.Elasticsearch.Aws;

/// <summary>
/// IAM roles for service accounts (EKS IRSA) and other OIDC federation: reads the token file on every fetch (the
/// kubelet rotates it) and exchanges it with STS <c>AssumeRoleWithWebIdentity</c>.
/// </summary>
internal sealed class WebIdentityCredentialsProvider(StsClient sts, string tokenFile, string roleArn, string sessionName) : IAwsCredentialsProvider
{
    public string TokenFile => tokenFile;

    public string RoleArn => roleArn;

    public string SessionName => sessionName;

    public string Description => $"web identity (role {roleArn}, token file {tokenFile})";

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(tokenFile, cancellationToken)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AwsCredentialsException($"cannot read the web identity token file '{tokenFile}' ({AwsEnvironment.WebIdentityTokenFile}): {e.GetType().Name}", e);
        }

        if (token.Length == 0)
        {
            throw new AwsCredentialsException($"the web identity token file '{tokenFile}' ({AwsEnvironment.WebIdentityTokenFile}) is empty");
        }

        return await sts.AssumeRoleWithWebIdentityAsync(roleArn, sessionName, token, cancellationToken);
    }
}

/// <summary>
/// Assumes a role on top of other credentials with STS <c>AssumeRole</c>, signed with those base credentials (what
/// elasticsearch_exporter's <c>--aws.role-arn</c> does).
/// </summary>
internal sealed class AssumeRoleCredentialsProvider(StsClient sts, IAwsCredentialsProvider baseCredentials, string roleArn, string sessionName, TimeSpan? duration = null) : IAwsCredentialsProvider, IDisposable
{
    public IAwsCredentialsProvider BaseCredentials => baseCredentials;

    public string RoleArn => roleArn;

    public string SessionName => sessionName;

    /// <summary>The lifetime asked for: one hour, the longest a role allows by default and the most role chaining allows.</summary>
    public TimeSpan Duration { get; } = duration ?? TimeSpan.FromHours(1);

    public string Description => $"assumed role {roleArn} on {baseCredentials.Description}";

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var based = await baseCredentials.GetCredentialsAsync(cancellationToken);
        return await sts.AssumeRoleAsync(based, roleArn, sessionName, (int)Duration.TotalSeconds, cancellationToken);
    }

    public void Dispose() => (baseCredentials as IDisposable)?.Dispose();
}

/// <summary>Checks for role ARNs and role session names, so that mistakes surface at start rather than as STS errors.</summary>
internal static class AwsRoles
{
    /// <summary>A session name STS accepts (2-64 of <c>[\w+=,.@-]</c>) that identifies this exporter in CloudTrail.</summary>
    public static string DefaultSessionName(TimeProvider time) =>
        "exporters-elasticsearch-" + time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string CheckRoleArn(string? value, string setting)
    {
        // arn:partition:iam::account:role/path/name
        var parts = value?.Split(':', 6);
        if (parts is not { Length: 6 } || parts[0] != "arn" || parts[2] != "iam" || !parts[5].StartsWith("role/", StringComparison.Ordinal) || parts[5].Length <= 5)
        {
            throw new AwsCredentialsException($"{setting} must be an IAM role ARN like arn:aws:iam::123456789012:role/name, got '{value}'");
        }

        return value!;
    }

    public static string CheckSessionName(string value, string setting)
    {
        if (value.Length is < 2 or > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || "_+=,.@-".Contains(c, StringComparison.Ordinal)))
        {
            throw new AwsCredentialsException($"{setting} must be 2 to 64 characters of letters, digits and _+=,.@-, got '{value}'");
        }

        return value;
    }
}
