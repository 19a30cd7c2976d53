import vscode = require('vscode');
import { t } from './core/l10n';
import { type Redactor } from './core/redact';
import { displayText, escapeThemeIcons } from './core/text';
import { type AppContext } from './flows/context';
import { shownOrganization } from './flows/organizationLabel';

/** The current organization, always visible while signed in; unmistakable while an override is active. */
export class OrganizationStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('factify.organization', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly ctx: AppContext,
    private readonly redactor: Redactor,
  ) {
    this.item.name = t('Factify Organization');
    this.item.command = 'factify.switchOrganization';
    const listChanged = ctx.store.onDidChange(() => this.update());
    const accountsChanged = ctx.accounts.onDidChange(() => this.update());
    this.subscription = {
      dispose: () => {
        listChanged.dispose();
        accountsChanged.dispose();
      },
    };
    this.update();
  }

  update(): void {
    const snapshot = this.ctx.store.snapshot;
    if (!snapshot.signedIn) {
      this.item.hide();
      return;
    }
    const override = this.ctx.organizations.current;
    if (override) {
      const name = shownOrganization(override, snapshot, this.ctx.accounts) ?? override;
      this.item.text = `$(warning) ${t('Factify: acting as {0}', this.plain(name))}`;
      this.item.tooltip = this.redactor.redact(
        t(
          "Requests act on organization {0} (X-Factify-Organization-Id), not the token's own. Click to switch.",
          name === override ? override : `${name} (${override})`,
        ),
      );
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else {
      const own = shownOrganization(undefined, snapshot, this.ctx.accounts);
      this.item.text = `$(organization) ${own ? t('Factify: {0}', this.plain(own)) : t("Factify: token's organization")}`;
      this.item.tooltip = t("Factify API keys of the token's own organization. Click to switch organization.");
      this.item.backgroundColor = undefined;
    }
    this.item.show();
  }

  /** A value inside the status bar's text: redacted, one line, and never `$(icon)` syntax. */
  private plain(value: string): string {
    return escapeThemeIcons(displayText(this.redactor.redact(value), 60));
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
