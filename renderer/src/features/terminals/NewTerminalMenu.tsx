import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { ChevronDown, Plus } from 'lucide-react';
import { useAppStore } from '../../store';
import { selectCurrentEnvironment } from '../../app/selectors';
import { kindIcons, terminalChoices } from './targets';

/**
 * "New terminal": a menu of a local shell and every SSH host, Kubernetes target and Cloudflare
 * account of the current environment. Keyboard: Enter or ↓ opens it on the first entry, ↑/↓ move,
 * Enter opens that terminal, Esc closes the menu.
 */
export function NewTerminalMenu() {
  const environment = useAppStore(selectCurrentEnvironment);
  const openTerminal = useAppStore((s) => s.openTerminal);
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const choices = terminalChoices(environment);

  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onPointer = (e: PointerEvent) => {
      const inside = e.target instanceof Node && (menuRef.current?.contains(e.target) || buttonRef.current?.contains(e.target));
      if (!inside) setOpen(false);
    };
    window.addEventListener('pointerdown', onPointer);
    return () => window.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  function onMenuKey(e: KeyboardEvent) {
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      e.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(items.length - 1);
    else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      close();
    }
  }

  return (
    <div className="new-terminal">
      <button
        ref={buttonRef}
        type="button"
        className="button button-primary"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title={environment ? `A terminal locked to ${environment.name}` : 'A local shell in no environment'}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        <Plus size={15} aria-hidden="true" /> New terminal <ChevronDown size={14} aria-hidden="true" />
      </button>
      {open ? (
        <div ref={menuRef} id={menuId} className="new-terminal-menu" role="menu" aria-label="New terminal" onKeyDown={onMenuKey}>
          {environment ? <div className="new-terminal-menu-env" aria-hidden="true">{environment.name}</div> : null}
          {choices.map((choice) => {
            const Icon = kindIcons[choice.kind];
            return (
              <button
                key={`${choice.kind}-${choice.targetId ?? ''}`}
                type="button"
                role="menuitem"
                className="new-terminal-menu-item"
                tabIndex={-1}
                onClick={() => {
                  close();
                  void openTerminal({ kind: choice.kind, targetId: choice.targetId, label: choice.label });
                }}
              >
                <Icon size={14} aria-hidden="true" />
                <span className="new-terminal-menu-label">{choice.label}</span>
                {choice.detail ? <span className="new-terminal-menu-detail mono">{choice.detail}</span> : null}
              </button>
            );
          })}
          {environment && choices.length === 1 ? (
            <p className="new-terminal-menu-note">{environment.name} has no SSH hosts, Kubernetes targets or Cloudflare accounts yet.</p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
