// An address the dashboard has no page for.
export function NotFoundPage() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <a href="/calls">Go to the calls</a>.
      </p>
    </section>
  );
}
