// A modal dialog: the browser's <dialog>, so focus moves in and stays in, and Escape closes it.
import { useEffect, useRef } from "preact/hooks";
/** @import { ComponentChildren } from "preact" */

/** @param {{title: string, open: boolean, onClose: () => void, children: ComponentChildren, id?: string}} props */
export function Dialog({ title, open, onClose, children, id }) {
  const ref = useRef(/** @type {HTMLDialogElement | null} */ (null));
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const titleId = `${id || "dialog"}-title`;
  return (
    <dialog ref={ref} id={id} aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}
