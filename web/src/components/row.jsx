// One labelled line of a details list (`<dl>`): left out when it has nothing to say.
/** @import { ComponentChildren } from "preact" */

/** @param {{label: string, children: ComponentChildren}} props */
export function Row({ label, children }) {
  if (children === null || children === undefined || children === "" || children === false) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
