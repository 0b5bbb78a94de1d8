/**
 * Whether session cookies carry Secure. `auto` follows the request: HTTPS as the proxy in
 * front reports it (x-forwarded-proto) or the URL itself. Plain http on loopback must keep
 * working for the embedded default, so Secure is not forced there.
 */
export function cookieSecure(setting: 'auto' | 'on' | 'off', forwardedProto: string | null, requestProtocol?: string): boolean {
  if (setting !== 'auto') return setting === 'on';
  const proto = forwardedProto?.split(',')[0]?.trim().toLowerCase();
  return proto === 'https' || requestProtocol === 'https:';
}
